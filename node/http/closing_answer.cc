// Answers written by the front door.
#include "node/http/closing_answer.h"

#include <nlohmann/json.hpp>

#include "node/http/request_guard.h"

namespace eichub::http {
namespace {

const char* reasonPhrase(int status) {
  switch (status) {
    case 408:
      return "Request Timeout";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

}  // namespace

std::string closingAnswer(int status, const std::string& code, const std::string& message,
                          int retry_after_seconds) {
  const std::string body = nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) + "\r\n";
  for (const auto& [name, value] : securityHeaders()) out += name + ": " + value + "\r\n";
  if (retry_after_seconds > 0)
    out += "Retry-After: " + std::to_string(retry_after_seconds) + "\r\n";
  out += "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

}  // namespace eichub::http
