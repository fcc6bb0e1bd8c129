// Subscription from config, skill subtrees from the store, and the fetch control command.
#include "node/daemon/subscription.h"

#include <deque>
#include <map>
#include <sstream>

#include "node/catalog/change.h"
#include "node/catalog/record_json.h"

namespace eichub::daemon {

namespace {

// narrower[uri]: the skills and skill groups whose broader list names uri.
using Narrower = std::map<std::string, std::vector<std::string>>;

void addBroader(Narrower& narrower, const store::RecordState& state) {
  // Bodies were checked when stored; one that still fails to read adds no links.
  (void)catalog::readRecord(state.body, [&](schema::Record::Reader record) {
    auto add = [&](capnp::List<capnp::Text>::Reader broader) {
      for (auto uri : broader) narrower[std::string(uri.cStr())].push_back(state.key.id);
    };
    if (record.isSkill()) add(record.getSkill().getBroader());
    if (record.isSkillGroup()) add(record.getSkillGroup().getBroader());
    return Status::OK();
  });
}

}  // namespace

Result<catalog::Subscription> subscriptionOf(const config::Options& options,
                                             const store::CatalogStore& store) {
  catalog::Subscription out;
  for (const std::string& name : options.subscribe_kinds) {
    auto kind = catalog::kindFromName(name);
    if (!kind) return Status::InvalidArgument("unknown kind", name);
    out.kinds.insert(*kind);
  }
  out.sectors.insert(options.subscribe_sectors.begin(), options.subscribe_sectors.end());
  out.regions = options.subscribe_regions;
  if (options.subscribe_skills.empty()) return out;
  Narrower narrower;
  auto collect = [&narrower](const store::RecordState& state) { addBroader(narrower, state); };
  EICHUB_RETURN_IF_ERROR(store.forEachRecord(catalog::Kind::SKILL, collect));
  EICHUB_RETURN_IF_ERROR(store.forEachRecord(catalog::Kind::SKILL_GROUP, collect));
  std::deque<std::string> todo(options.subscribe_skills.begin(), options.subscribe_skills.end());
  while (!todo.empty()) {
    std::string uri = std::move(todo.front());
    todo.pop_front();
    if (!out.skills.insert(uri).second) continue;  // the hierarchy may hold cycles
    if (auto it = narrower.find(uri); it != narrower.end()) {
      todo.insert(todo.end(), it->second.begin(), it->second.end());
    }
  }
  return out;
}

std::string fetchCommand(const std::vector<wire::BodyRef>& refs) {
  std::string out = "fetch";
  for (const wire::BodyRef& ref : refs)
    out += " " + toHex(ref.author) + " " + std::to_string(ref.seq);
  return out;
}

Result<std::vector<wire::BodyRef>> parseFetchCommand(const std::string& command) {
  std::istringstream in(command);
  std::string word;
  in >> word;
  if (word != "fetch") return Status::InvalidArgument("not a fetch command");
  std::vector<wire::BodyRef> refs;
  std::string author;
  while (in >> author) {
    std::string seq_text;
    if (!(in >> seq_text)) return Status::InvalidArgument("fetch: author without a seq");
    auto parsed = fixedFromHex<kPublicKeyBytes>(author);
    if (!parsed) return Status::InvalidArgument("fetch: author is not 64 hex digits");
    uint64_t seq = 0;
    for (char c : seq_text) {
      const uint64_t digit = static_cast<uint64_t>(c - '0');
      if (c < '0' || c > '9' || seq > (UINT64_MAX - digit) / 10) {
        return Status::InvalidArgument("fetch: seq is not a number");
      }
      seq = seq * 10 + digit;
    }
    if (seq == 0) return Status::InvalidArgument("fetch: seq 0");
    refs.push_back({*parsed, seq});
    if (refs.size() > kMaxFetchRefsPerCommand)
      return Status::InvalidArgument("fetch: too many refs");
  }
  if (refs.empty()) return Status::InvalidArgument("fetch: no refs");
  return refs;
}

}  // namespace eichub::daemon
