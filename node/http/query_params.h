// Reading query parameters from untrusted requests: every value bounded, every failure a
// Status whose message names the parameter.
#pragma once

#include <cstdint>
#include <string>

#include <httplib.h>

#include "federation/common/result.h"

namespace eichub::http {

// The longest value any query parameter may have (a search text, a record id is <= 2 KiB).
inline constexpr size_t kMaxParamBytes = 2048;

// The parameter's value, "" when absent. Errors: InvalidArgument when it is longer than
// max_bytes or not valid UTF-8.
Result<std::string> textParam(const httplib::Request& req, const std::string& name,
                              size_t max_bytes = kMaxParamBytes);
// A decimal integer in [min, max]; fallback when absent. Errors: InvalidArgument naming the
// parameter and the range.
Result<uint64_t> uintParam(const httplib::Request& req, const std::string& name, uint64_t min,
                           uint64_t max, uint64_t fallback);

}  // namespace eichub::http
