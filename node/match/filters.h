// MatchFilters: which learning resources a match may offer (language, mode, region, EQF level,
// price, validity), checked once against every limit before a query runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "federation/common/status.h"
#include "node/match/match_index.h"

namespace eichub::match {

// Every field is optional: an unset field lets every resource through.
struct MatchFilters {
  std::string lang;                         // a teaching language (BCP 47 tag, e.g. "en")
  std::optional<Mode> mode;                 // kOnline, kOnsite or kBlended
  std::string region;                       // NUTS code: resources in it, above it or below it
  uint8_t min_eqf = 0;                      // 1..8; resources that state no level are left out
  uint8_t max_eqf = 0;                      // 1..8
  std::optional<uint64_t> max_price_cents;  // free resources always pass; no stated price fails
  std::string currency;                     // ISO 4217; required with max_price_cents
  std::string valid_on;                     // YYYY-MM-DD: validFrom <= day <= validUntil
};

// OK, or InvalidArgument naming the field: an EQF level outside 1..8 or min above max, a
// language tag or region that is not one, max_price_cents without a currency, a date that is
// not a calendar date, mode kUnspecified.
Status validateFilters(const MatchFilters& filters);

// Parses "online", "onsite", "blended"; nullopt otherwise.
std::optional<Mode> parseMode(std::string_view text);
std::string_view modeName(Mode mode);

// True when NUTS codes a and b nest (UKE contains UKE4 contains UKE42); false if either is "".
bool regionsOverlap(std::string_view a, std::string_view b);

// True when resource passes every set filter. filters must have passed validateFilters.
bool passes(const MatchFilters& filters, const ResourceEntry& resource);

}  // namespace eichub::match
