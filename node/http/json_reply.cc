// JSON replies and errors.
#include "node/http/json_reply.h"

namespace eichub::http {

void replyJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void replyError(httplib::Response& res, int status, const std::string& code,
                const std::string& message) {
  replyJson(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

std::string errorCodeOf(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 404:
      return "not_found";
    case 403:
      return "forbidden";
    case 405:
      return "method_not_allowed";
    case 408:
      return "request_timeout";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 431:
      return "header_too_large";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal" : "error";
  }
}

}  // namespace eichub::http
