// isoDuration and durationHours.
#include "node/elm/duration.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include <fmt/core.h>

namespace eichub::elm {

std::string isoDuration(double hours) {
  if (!(hours > 0)) return {};
  auto seconds = static_cast<uint64_t>(std::llround(hours * 3600));
  if (seconds == 0) return {};
  std::string out = "PT";
  if (seconds / 3600 > 0) out += fmt::format("{}H", seconds / 3600);
  if (seconds % 3600 / 60 > 0) out += fmt::format("{}M", seconds % 3600 / 60);
  if (seconds % 60 > 0) out += fmt::format("{}S", seconds % 60);
  return out;
}

std::optional<double> durationHours(std::string_view d) {
  if (!d.starts_with("P")) return std::nullopt;
  double hours = 0;
  bool in_time = false;
  std::string number;
  for (char c : d.substr(1)) {
    if ((c >= '0' && c <= '9') || c == '.') {
      number += c;
      continue;
    }
    if (c == 'T') {
      in_time = true;
      continue;
    }
    if (number.empty()) return std::nullopt;
    double v = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (ec != std::errc() || end != number.data() + number.size()) return std::nullopt;
    number.clear();
    if (!in_time && c == 'W') {
      hours += v * 168;
    } else if (!in_time && c == 'D') {
      hours += v * 24;
    } else if (in_time && c == 'H') {
      hours += v;
    } else if (in_time && c == 'M') {
      hours += v / 60;
    } else if (in_time && c == 'S') {
      hours += v / 3600;
    } else {
      return std::nullopt;  // years and months have no fixed length
    }
  }
  if (!number.empty()) return std::nullopt;
  return hours;
}

}  // namespace eichub::elm
