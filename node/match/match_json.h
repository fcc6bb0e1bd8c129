// The JSON form of match, gap and align answers, for the CLI's --json and the HTTP API.
#pragma once

#include <nlohmann/json.hpp>

#include "node/match/aligner.h"
#include "node/match/gaps.h"
#include "node/match/matcher.h"
#include "node/match/offer_stats.h"

namespace eichub::match {

// Strings are copied as they are: dump() with error_handler_t::replace. Keys are stable; record
// keys are {"kind", "author" (hex), "id"}. Thread-safe.
nlohmann::json toJson(const MatchAnswer& answer);
nlohmann::json toJson(const GapReport& report);
nlohmann::json toJson(const AlignAnswer& answer);
nlohmann::json toJson(const std::vector<GroupRegionCount>& counts);
// The skill needs an index holds: id, author, region, sector, headcount, occupation, skills.
nlohmann::json needsToJson(const MatchIndex& index);

}  // namespace eichub::match
