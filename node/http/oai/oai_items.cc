#include "node/http/oai/oai_items.h"

#include "federation/feed/update.h"
#include "node/catalog/change.h"
#include "node/catalog/record_json.h"

namespace eichub::http::oai {
namespace {

constexpr size_t kChangesPerRead = 1000;  // change entries read per store call
constexpr size_t kHeadersPerRead = 1000;  // feed headers read per call when looking ahead

bool isItemKind(catalog::Kind kind) {
  return kind == catalog::Kind::LEARNING_RESOURCE || kind == catalog::Kind::PROVIDER;
}

std::string itemText(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

// True when the feed holds an update of key with a seq in (after, head]: a later change of
// the same harvest reports the record. Only read for records changed since the harvest began.
Result<bool> changedLaterWithin(const store::CatalogStore& store, const store::RecordKey& key,
                                uint64_t after, uint64_t head) {
  for (uint64_t from = after + 1; from <= head;) {
    EICHUB_ASSIGN_OR_RETURN(auto updates,
                            store.queries().readFeed(key.author, from, head, kHeadersPerRead));
    if (updates.empty()) break;
    for (const feed::SignedUpdate& u : updates) {
      EICHUB_ASSIGN_OR_RETURN(feed::HeaderFields h, feed::decodeHeader(u.header));
      if (h.kind == catalog::kindCode(key.kind) && h.id == key.id) return true;
      from = h.seq + 1;
    }
  }
  return false;
}

bool inSet(const Item& item, const std::string& set) {
  if (set.empty()) return true;
  for (const std::string& spec : setsOf(item)) {
    // Regions are hierarchical (NUTS): region:UKE includes region:UKE42.
    if (spec == set || (set.starts_with("region:") && spec.starts_with(set))) return true;
  }
  return false;
}

}  // namespace

std::string identifier(const std::string& repository, const store::RecordKey& key) {
  return "oai:" + repository + ":" + std::string(catalog::kindName(key.kind)) + "/" +
         toHex(key.author) + "/" + key.id;
}

std::optional<store::RecordKey> parseIdentifier(const std::string& repository,
                                                const std::string& text) {
  const std::string prefix = "oai:" + repository + ":";
  if (!text.starts_with(prefix)) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(prefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto kind = catalog::kindFromName(rest.substr(0, slash));
  if (!kind || !isItemKind(*kind)) return std::nullopt;
  rest.remove_prefix(slash + 1);
  if (rest.size() < 2 * kPublicKeyBytes + 2 || rest[2 * kPublicKeyBytes] != '/') {
    return std::nullopt;
  }
  auto author = fixedFromHex<kPublicKeyBytes>(rest.substr(0, 2 * kPublicKeyBytes));
  if (!author) return std::nullopt;
  return store::RecordKey{*kind, *author, std::string(rest.substr(2 * kPublicKeyBytes + 1))};
}

std::vector<std::string> setsOf(const Item& item) {
  const store::RecordKey& key = item.state.key;
  std::vector<std::string> sets = {"kind:" + std::string(catalog::kindName(key.kind)),
                                   "author:" + toHex(key.author)};
  if (item.deleted()) {
    sets.insert(sets.end(), item.ended_sets.begin(), item.ended_sets.end());
    return sets;
  }
  auto reader = catalog::RecordReader::open(item.state.body);
  if (!reader.ok()) return sets;
  schema::Record::Reader record = (*reader)->root();
  if (record.isLearningResource()) {
    auto lr = record.getLearningResource();
    if (lr.getRegion().size() > 0) sets.push_back("region:" + itemText(lr.getRegion()));
    for (auto s : lr.getSectors()) sets.push_back("sector:" + itemText(s));
  } else if (record.isProvider()) {
    auto p = record.getProvider();
    if (p.getRegion().size() > 0) sets.push_back("region:" + itemText(p.getRegion()));
  }
  return sets;
}

Status endedSets(const store::CatalogStore& store, Item& item) {
  item.ended_sets.clear();
  const uint64_t seq = item.state.last_upsert_seq;
  if (!item.deleted() || seq == 0) return Status::OK();
  EICHUB_ASSIGN_OR_RETURN(auto updates,
                          store.queries().readFeed(item.state.key.author, seq, seq, 1));
  if (updates.empty()) return Status::OK();
  EICHUB_ASSIGN_OR_RETURN(feed::HeaderFields h, feed::decodeHeader(updates[0].header));
  for (std::string& tag : h.tags) {
    if (tag.starts_with("region:") || tag.starts_with("sector:")) {
      item.ended_sets.push_back(std::move(tag));
    }
  }
  return Status::OK();
}

int64_t datestampSeconds(const store::RecordState& state) {
  const int64_t ms = state.applied_ms > 0 ? state.applied_ms : state.time_ms;
  return ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
}

Status walkItems(const store::CatalogStore& store, const Heads& heads, const Selection& selection,
                 uint64_t after, const std::function<bool(const Item&)>& fn) {
  for (uint64_t since = after;;) {
    EICHUB_ASSIGN_OR_RETURN(auto changes, store.queries().changes(since, kChangesPerRead));
    if (changes.empty()) return Status::OK();
    for (const store::ChangeEntry& change : changes) {
      since = change.number;
      if (!isItemKind(change.kind)) continue;
      auto head = heads.find(change.author);
      // Applied after the harvest began: not part of it.
      if (head == heads.end() || change.seq > head->second) continue;
      store::RecordKey key{change.kind, change.author, change.id};
      Item item;
      EICHUB_ASSIGN_OR_RETURN(item.state, store.queries().record(key));
      item.number = change.number;
      if (item.state.seq != change.seq) {
        // A later change reports the record when the harvest includes it.
        if (item.state.seq <= head->second) continue;
        EICHUB_ASSIGN_OR_RETURN(bool later,
                                changedLaterWithin(store, key, change.seq, head->second));
        if (later) continue;
      }
      int64_t stamp = datestampSeconds(item.state);
      if (stamp < selection.from || stamp > selection.until) continue;
      EICHUB_RETURN_IF_ERROR(endedSets(store, item));
      if (!inSet(item, selection.set)) continue;
      if (!fn(item)) return Status::OK();
    }
  }
}

}  // namespace eichub::http::oai
