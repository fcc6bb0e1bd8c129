// Gaps: per region and sector, the skills that SkillNeed records across the federation ask for
// (weighted by headcount), against the learning resources that cover them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "node/match/match_index.h"

namespace eichub::match {

inline constexpr size_t kMaxGapEntries = 100000;  // every needed skill of a large federation
inline constexpr size_t kDefaultGapEntries = 1000;
inline constexpr uint32_t kDefaultFewOffers = 3;  // "few offers": at most this many

struct GapQuery {
  std::string region;                       // NUTS code: needs in it, above or below it; "" for all
  std::string sector;                       // exact; "" for all
  uint32_t max_offers = kDefaultFewOffers;  // list skills with at most this many offers
  size_t limit = kDefaultGapEntries;        // 1..kMaxGapEntries
};

struct GapEntry {
  std::string region;  // the needs' region ("" when they state none)
  std::string sector;  // the needs' sector ("" when they state none)
  std::string skill;   // uri
  std::string label;
  uint64_t demand = 0;  // sum of headcounts (a need stating none counts 1)
  uint32_t needs = 0;   // SkillNeed records asking for it
  uint32_t offers = 0;  // resources anywhere covering it (the skill or one level narrower)
  uint32_t offers_in_region = 0;  // of those, resources whose region nests with the need's
};

struct GapReport {
  size_t needs_read = 0;       // SkillNeed records in the query's region and sector
  size_t skills_needed = 0;    // (region, sector, skill) rows before max_offers and limit
  std::vector<GapEntry> gaps;  // by region, sector, then fewest offers, most demand, uri
  bool truncated = false;      // limit cut the list
  std::vector<std::string> unknown_occupations;  // named by needs, no Occupation record held
  std::string note;                              // why the list is empty, when it is
};

// Needs name skills directly and through an occupation (its essential skills). Errors:
// InvalidArgument for a region that is not a NUTS code or a limit outside 1..kMaxGapEntries.
// Thread-safe over a shared index.
Result<GapReport> gaps(const MatchIndex& index, const GapQuery& query);

// The report as CSV (RFC 4180, header row, LF line ends): region, sector, skill, label, demand,
// needs, offers, offers_in_region.
std::string gapsToCsv(const GapReport& report);

}  // namespace eichub::match
