// HTTP requests to a node under test (cpp-httplib's client): GET JSON or text, POST publish.
#pragma once

#include <memory>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace eichub::testing {

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection failed)
  std::string body;
};

// s with everything but unreserved characters (RFC 3986) percent-encoded, as JavaScript's
// encodeURIComponent: a path segment or query value.
std::string percentEncode(const std::string& s);
// A client of address (host:port) whose reads time out after read_timeout_s seconds.
std::unique_ptr<httplib::Client> httpClient(const std::string& address, int read_timeout_s);
// GET path from address (host:port).
HttpAnswer httpGet(const std::string& address, const std::string& path);
// GET path and parse the body; a discarded (null) value when there was no JSON answer.
nlohmann::json httpGetJson(const std::string& address, const std::string& path);
// POST /api/v1/publish with a bearer token (none when empty) and a JSON Lines body.
HttpAnswer httpPublish(const std::string& address, const std::string& token,
                       const std::string& body);

}  // namespace eichub::testing
