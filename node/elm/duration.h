// Study hours <-> xs:duration, as LOQ's volumeOfLearning carries them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eichub::elm {

// Hours as an xs:duration in whole seconds ("PT12H", "PT1H30M"); empty for 0 or less.
std::string isoDuration(double hours);
// Hours in an xs:duration (a day counts 24 hours, a week 168); nullopt for years or months
// (no fixed length) or a malformed value.
std::optional<double> durationHours(std::string_view duration);

}  // namespace eichub::elm
