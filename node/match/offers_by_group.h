// Offers per skill group and region: how many learning resources teach skills under each
// top-level skill group (a SkillGroup that no other group contains), per resource region. It
// is the dashboard's chart of what the network offers where, next to the gap report of what
// employers need.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/match/match_index.h"

namespace eichub::match {

struct GroupOffers {
  std::string group;   // top-level skill group uri
  std::string label;   // its preferred label
  std::string region;  // the resources' NUTS code; "" when they state none
  uint64_t resources = 0;
};

struct OffersByGroup {
  std::vector<GroupOffers> rows;         // by group uri, then region
  uint64_t resources_without_group = 0;  // teach no skill that reaches a held skill group
};

// Counts each resource once per (top-level group, region) it reaches through the broader links
// of the skills it teaches. A pure function of the index: equal on converged nodes.
OffersByGroup offersByGroup(const MatchIndex& index);

}  // namespace eichub::match
