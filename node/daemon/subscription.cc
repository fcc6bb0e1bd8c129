// Subscription from config, with skill subtrees from the store.
#include "node/daemon/subscription.h"

#include <deque>
#include <map>

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
  EICHUB_RETURN_IF_ERROR(store.queries().forEachRecord(catalog::Kind::SKILL, collect));
  EICHUB_RETURN_IF_ERROR(store.queries().forEachRecord(catalog::Kind::SKILL_GROUP, collect));
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

}  // namespace eichub::daemon
