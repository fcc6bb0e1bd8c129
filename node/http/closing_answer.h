// ClosingAnswer: an HTTP error answer written outside httplib, by the front door (limits,
// full queues) and by a request stream past its deadline. Same JSON shape and security headers
// as every other answer; the connection closes after it.
#pragma once

#include <string>

namespace eichub::http {

// The bytes of "HTTP/1.1 <status>" with {"error": {"code": code, "message": message}},
// Connection: close, and Retry-After: retry_after_seconds when it is positive.
std::string closingAnswer(int status, const std::string& code, const std::string& message,
                          int retry_after_seconds = 0);

}  // namespace eichub::http
