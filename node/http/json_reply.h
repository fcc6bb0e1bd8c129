// JSON replies and the one shape of every HTTP error: {"error": {"code": ..., "message": ...}}.
#pragma once

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace eichub::http {

// Sets status and a JSON body. Strings that are not valid UTF-8 are replaced, not thrown on.
void replyJson(httplib::Response& res, int status, const nlohmann::json& body);
// code is a stable machine-readable word ("bad_request", "not_found", ...); message says what
// to do.
void replyError(httplib::Response& res, int status, const std::string& code,
                const std::string& message);
// The error code word of an HTTP status (400 -> "bad_request", ...).
std::string errorCodeOf(int status);

}  // namespace eichub::http
