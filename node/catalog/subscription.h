// Subscription: which bodies a catalogue node keeps (selective sync), judged on a header's kind
// and the catalogue tags change.cc derives ("sector:", "region:", "skill:"). The sync engine
// sees it only as the body filter bodyFilter() returns.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "federation/feed/update.h"
#include "node/catalog/kinds.h"

namespace eichub::catalog {

// Each non-empty dimension must match; an empty one matches everything. Thread-compatible
// value type.
struct Subscription {
  std::set<catalog::Kind> kinds;
  std::set<std::string> sectors;  // a "sector:<s>" tag with s in the set
  // A "region:<code>" tag whose NUTS code starts with one of these: "UKE" covers "UKE42".
  std::vector<std::string> regions;
  // A "skill:<uri>" tag with uri in the set; the node expands configured skills to their ESCO
  // subtrees before it builds the subscription.
  std::set<std::string> skills;

  // True when every body is wanted (the default: a full node).
  bool everything() const {
    return kinds.empty() && sectors.empty() && regions.empty() && skills.empty();
  }
  // True when the body of this upsert is wanted. A header without a tag of a set dimension
  // does not match it: a record that names no sector is in no sector.
  bool matches(const feed::HeaderFields& header) const;
  // The sync engine's body filter (sync::SyncOptions::wants_body): empty when everything() (a
  // full node, whose wants ask for bodies), else matches() over a copy of this subscription.
  std::function<bool(const feed::HeaderFields&)> bodyFilter() const;
};

}  // namespace eichub::catalog
