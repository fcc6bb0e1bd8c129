// Tests of the request guard: the Host allow-list (DNS rebinding) and cross-site writes.
#include "node/http/request_guard.h"

#include <gtest/gtest.h>

namespace eichub::http {
namespace {

httplib::Request request(const std::string& method, const std::string& path,
                         httplib::Headers headers) {
  httplib::Request req;
  req.method = method;
  req.path = path;
  req.headers = std::move(headers);
  return req;
}

TEST(RequestGuardTest, DefaultHostsAreTheListenAddressAndLoopbackNames) {
  EXPECT_EQ(defaultAllowedHosts("127.0.0.1", 7481),
            (std::vector<std::string>{"localhost:7481", "127.0.0.1:7481", "[::1]:7481"}));
  EXPECT_EQ(defaultAllowedHosts("node.example", 80)[0], "node.example:80");
  EXPECT_EQ(defaultAllowedHosts("::1", 9)[0], "localhost:9");  // [::1]:9 is already listed
  EXPECT_EQ(defaultAllowedHosts("fd00::5", 9)[0], "[fd00::5]:9");
}

TEST(RequestGuardTest, AHostOutsideTheListIsRefusedAsMisdirected) {
  RequestGuard guard(defaultAllowedHosts("127.0.0.1", 7481));
  EXPECT_FALSE(guard.check(request("GET", "/api/v1/status", {{"Host", "127.0.0.1:7481"}})));
  EXPECT_FALSE(guard.check(request("GET", "/api/v1/status", {{"Host", "LOCALHOST:7481"}})));
  auto evil = guard.check(request("GET", "/api/v1/status", {{"Host", "evil.example"}}));
  ASSERT_TRUE(evil);
  EXPECT_EQ(evil->status, 421);
  EXPECT_EQ(evil->code, "misdirected_host");
  EXPECT_NE(evil->message.find("\"evil.example\""), std::string::npos) << evil->message;
  // Another port of an allowed name is another origin.
  EXPECT_TRUE(guard.check(request("GET", "/", {{"Host", "localhost:8080"}})));
  auto none = guard.check(request("GET", "/metrics", {}));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 400);
  EXPECT_EQ(none->code, "bad_host");
  EXPECT_TRUE(guard.check(request("GET", "/", {{"Host", "localhost:7481"}, {"Host", "x"}})));
  // Probes name the node by its address and learn nothing from the answer.
  EXPECT_FALSE(guard.check(request("GET", "/healthz", {{"Host", "10.0.0.5:7481"}})));
  EXPECT_FALSE(guard.check(request("GET", "/readyz", {})));
}

TEST(RequestGuardTest, ConfiguredHostsReplaceTheDefaults) {
  RequestGuard guard({"Node.Example"});
  EXPECT_FALSE(guard.check(request("GET", "/", {{"Host", "node.example"}})));
  EXPECT_TRUE(guard.check(request("GET", "/", {{"Host", "localhost:7481"}})));
}

TEST(RequestGuardTest, WritesFromAnotherSiteAreRefusedAndPlainClientsPass) {
  RequestGuard guard(defaultAllowedHosts("127.0.0.1", 7481));
  const std::pair<const std::string, std::string> host{"Host", "127.0.0.1:7481"};
  for (const char* site : {"cross-site", "same-site"}) {
    auto refused = guard.check(request("POST", "/api/v1/align", {host, {"Sec-Fetch-Site", site}}));
    ASSERT_TRUE(refused) << site;
    EXPECT_EQ(refused->status, 403);
    EXPECT_EQ(refused->code, "cross_site");
  }
  for (const char* origin : {"http://evil.example", "null", "http://127.0.0.1:7481.evil.example",
                             "file://", "http://127.0.0.1:7482"}) {
    auto refused = guard.check(request("POST", "/api/v1/publish", {host, {"Origin", origin}}));
    ASSERT_TRUE(refused) << origin;
    EXPECT_EQ(refused->code, "cross_site") << origin;
  }
  EXPECT_TRUE(guard.check(request("DELETE", "/x", {host, {"Sec-Fetch-Site", "cross-site"}})));
  // The dashboard itself, curl and the CLI.
  EXPECT_FALSE(guard.check(
      request("POST", "/api/v1/align",
              {host, {"Sec-Fetch-Site", "same-origin"}, {"Origin", "http://127.0.0.1:7481"}})));
  EXPECT_FALSE(guard.check(request("POST", "/api/v1/align", {host})));
  EXPECT_FALSE(guard.check(request("POST", "/api/v1/align", {host, {"Sec-Fetch-Site", "none"}})));
  // A cross-site read is not refused here: without CORS headers the page cannot read it.
  EXPECT_FALSE(
      guard.check(request("GET", "/api/v1/status", {host, {"Sec-Fetch-Site", "cross-site"}})));
}

TEST(RequestGuardTest, SecurityHeadersForbidFramingSniffingAndForeignScripts) {
  httplib::Headers headers = securityHeaders();
  auto value = [&](const std::string& name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  };
  EXPECT_EQ(value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(value("X-Frame-Options"), "DENY");
  EXPECT_EQ(value("Referrer-Policy"), "no-referrer");
  const std::string csp = value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
}

}  // namespace
}  // namespace eichub::http
