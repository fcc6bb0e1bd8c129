// Bounded query parameter parsing.
#include "node/http/query_params.h"

#include <charconv>

#include <fmt/format.h>

#include "federation/common/utf8.h"

namespace eichub::http {

Result<std::string> textParam(const httplib::Request& req, const std::string& name,
                              size_t max_bytes) {
  if (!req.has_param(name.c_str())) return std::string();
  std::string value = req.get_param_value(name.c_str());
  if (value.size() > max_bytes) {
    return Status::InvalidArgument(fmt::format("{} is longer than {} bytes", name, max_bytes));
  }
  if (!isValidUtf8(value)) return Status::InvalidArgument(name + " is not valid UTF-8");
  return value;
}

Result<uint64_t> uintParam(const httplib::Request& req, const std::string& name, uint64_t min,
                           uint64_t max, uint64_t fallback) {
  if (!req.has_param(name.c_str())) return fallback;
  std::string text = req.get_param_value(name.c_str());
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Status::InvalidArgument(
        fmt::format("{} must be an integer from {} to {}", name, min, max));
  }
  return value;
}

}  // namespace eichub::http
