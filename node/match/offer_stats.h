// Offer statistics for charts: how many learning resources teach something under each skill
// group of the ESCO hierarchy, per region.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "node/match/match_index.h"

namespace eichub::match {

// Skill groups this many levels below a root of the hierarchy are the chart's bars (ESCO: level
// 0 is skills, knowledge, ...; level 1 is e.g. "S1 communication, collaboration and creativity").
inline constexpr int kDefaultGroupLevel = 1;
inline constexpr int kMaxGroupLevel = 3;  // ESCO's hierarchy has four group levels (0..3)

struct GroupRegionCount {
  std::string group;  // uri
  std::string label;
  std::string region;      // the resources' region ("" when they state none)
  uint64_t resources = 0;  // resources teaching a skill under the group, counted once each
};

// For each group at `level` (roots are level 0; a group's level is its shortest distance to a
// root) and each region, the resources teaching a skill below that group. Ordered by group
// label, then uri, then region. Errors: InvalidArgument for a level outside 0..kMaxGroupLevel.
// Thread-safe over a shared index.
Result<std::vector<GroupRegionCount>> offersPerGroupAndRegion(const MatchIndex& index,
                                                              int level = kDefaultGroupLevel);

}  // namespace eichub::match
