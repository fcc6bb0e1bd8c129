// Parsers for the cell formats vendors use: plain numbers, prices written as text, and weekly
// effort ("2–3 hours per week" over "7 Weeks"). Used by the CSV mapping's conversions.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/common/result.h"

namespace eichub::import::internal {

// The numbers in free text, left to right, at most max_count: "2–3 hours per week" -> {2, 3};
// "$1,299.50" -> {1299.5}. A comma followed by exactly three digits is a thousands separator.
std::vector<double> numbersIn(std::string_view text, size_t max_count);

// A cell that holds one number ("39.0", " 124,980 "). nullopt for an empty cell.
// Errors: InvalidArgument when the cell holds anything else.
Result<std::optional<double>> parseNumber(std::string_view text);

// A cell that holds one integer ("4", "124,980"). nullopt for an empty cell.
// Errors: InvalidArgument when the cell holds anything else (including "4.5").
Result<std::optional<int64_t>> parseInteger(std::string_view text);

// A price written as text: the first number is the amount ("FREE-Add a Verified Certificate for
// $49 USD" -> 49, "200" -> 200); text with no number that says "free" is 0. The currency is
// the first three-capital-letter word (USD), else a symbol ($ USD, € EUR, £ GBP), else
// default_currency. Returns {"amount":..,"currency":..}, or null for an empty cell.
// Errors: InvalidArgument when there is no amount or no currency.
Result<nlohmann::json> parsePrice(std::string_view text, std::string_view default_currency);

// Study hours from a weekly effort and a length in weeks: the midpoint of the effort's one or two
// numbers times the first number of weeks ("2–3 hours per week", "7 Weeks" -> 17.5).
// nullopt when effort is empty. Errors: InvalidArgument when either holds no number.
Result<std::optional<double>> parseWeeklyHours(std::string_view effort, std::string_view weeks);

}  // namespace eichub::import::internal
