// The items of the OAI-PMH provider (docs/oai.md): the learning resources and providers held,
// their stable identifiers, datestamps, sets, and the walk of the change feed that lists them
// so that a harvest neither skips nor repeats an item changed while it runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "node/store/catalog_store.h"

namespace eichub::http::oai {

// What a list request selects (the arguments a resumption token carries).
struct Selection {
  std::string metadata_prefix;
  std::string set;           // "" or a setSpec
  int64_t from = INT64_MIN;  // seconds since the epoch, inclusive
  int64_t until = INT64_MAX;
};

// A harvest's fixed upper bound: each feed's head when the first request came. An update
// belongs to the harvest when its seq is at most its feed's head here.
using Heads = std::map<PublicKey, uint64_t>;

struct Item {
  store::RecordState state;  // the record as held now (a tombstone, or an erased body)
  uint64_t number = 0;       // the change at which the walk reports it
  // A deleted item's region: and sector: sets, from the tags of the upsert its delete ended
  // (endedSets); empty when that is unknown (state stored by an older build).
  std::vector<std::string> ended_sets;
  bool deleted() const { return state.op != feed::Op::UPSERT || state.body.empty(); }
};

// The item's identifier: oai:<repository>:<kind>/<author hex>/<id>.
std::string identifier(const std::string& repository, const store::RecordKey& key);
// The record key an identifier names, or nullopt when it is not one of this repository's.
std::optional<store::RecordKey> parseIdentifier(const std::string& repository,
                                                const std::string& text);
// Fills item.ended_sets when the item is deleted: reads the header of the upsert it ended
// (RecordState::last_upsert_seq). Errors: the store's.
Status endedSets(const store::CatalogStore& store, Item& item);
// The setSpecs the item belongs to: kind, author; region and sectors from its body, or, once
// deleted, from ended_sets.
std::vector<std::string> setsOf(const Item& item);
// The item's datestamp, seconds since the epoch: when this node applied its state
// (RecordState::applied_ms), or the author's signed time for state stored by an older build.
int64_t datestampSeconds(const store::RecordState& state);

// Calls fn for each item selected, in change order, starting after change number `after`,
// each at the last change of its record that heads include; fn returns false to stop.
// Errors: the store's.
Status walkItems(const store::CatalogStore& store, const Heads& heads, const Selection& selection,
                 uint64_t after, const std::function<bool(const Item&)>& fn);

}  // namespace eichub::http::oai
