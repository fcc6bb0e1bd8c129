// HTTP requests to a node under test: one short-lived client per request.
#include "tests/multinode/http_client.h"

#include <httplib.h>

namespace eichub::testing {
namespace {

httplib::Client clientFor(const std::string& address) {
  size_t colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  client.set_read_timeout(30, 0);
  return client;
}

HttpAnswer answerOf(const httplib::Result& res) {
  if (!res) return {};
  return {res->status, res->body};
}

}  // namespace

HttpAnswer httpGet(const std::string& address, const std::string& path) {
  return answerOf(clientFor(address).Get(path));
}

nlohmann::json httpGetJson(const std::string& address, const std::string& path) {
  HttpAnswer answer = httpGet(address, path);
  return nlohmann::json::parse(answer.body, nullptr, false);
}

HttpAnswer httpPublish(const std::string& address, const std::string& token,
                       const std::string& body) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  return answerOf(
      clientFor(address).Post("/api/v1/publish", headers, body, "application/x-ndjson"));
}

}  // namespace eichub::testing
