// HTTP requests to a node under test: one short-lived client per request.
#include "tests/multinode/http_client.h"

#include <cctype>
#include <cstdio>

namespace eichub::testing {
namespace {

constexpr int kReadTimeoutS = 30;  // one request's answer; a failing test waits this long

HttpAnswer answerOf(const httplib::Result& res) {
  if (!res) return {};
  return {res->status, res->body};
}

}  // namespace

std::string percentEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

std::unique_ptr<httplib::Client> httpClient(const std::string& address, int read_timeout_s) {
  const size_t colon = address.rfind(':');
  auto client = std::make_unique<httplib::Client>(address.substr(0, colon),
                                                  std::stoi(address.substr(colon + 1)));
  client->set_read_timeout(read_timeout_s, 0);
  return client;
}

HttpAnswer httpGet(const std::string& address, const std::string& path) {
  return answerOf(httpClient(address, kReadTimeoutS)->Get(path));
}

nlohmann::json httpGetJson(const std::string& address, const std::string& path) {
  HttpAnswer answer = httpGet(address, path);
  return nlohmann::json::parse(answer.body, nullptr, false);
}

HttpAnswer httpPublish(const std::string& address, const std::string& token,
                       const std::string& body) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return answerOf(httpClient(address, kReadTimeoutS)
                      ->Post("/api/v1/publish", headers, body, "application/x-ndjson"));
}

}  // namespace eichub::testing
