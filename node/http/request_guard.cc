// Host allow-list, cross-site writes, security headers.
#include "node/http/request_guard.h"

#include <algorithm>
#include <cctype>

namespace eichub::http {
namespace {

// What a refusal message quotes of a client's header at most.
constexpr size_t kMaxQuotedBytes = 100;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string quoted(const std::string& value) {
  std::string shown = value.substr(0, kMaxQuotedBytes);
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '"') c = '?';
  }
  return "\"" + shown + (value.size() > kMaxQuotedBytes ? "...\"" : "\"");
}

bool isWrite(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

}  // namespace

std::vector<std::string> defaultAllowedHosts(const std::string& listen_host, int port) {
  const std::string suffix = ":" + std::to_string(port);
  std::vector<std::string> hosts = {"localhost" + suffix, "127.0.0.1" + suffix, "[::1]" + suffix};
  // An IPv6 listen address ("::1") is written in brackets in a Host header.
  std::string own = listen_host.find(':') != std::string::npos && listen_host.front() != '['
                        ? "[" + listen_host + "]"
                        : listen_host;
  own = lower(own + suffix);
  if (!listen_host.empty() && std::find(hosts.begin(), hosts.end(), own) == hosts.end()) {
    hosts.insert(hosts.begin(), own);
  }
  return hosts;
}

httplib::Headers securityHeaders() {
  return {
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      // The dashboard is files of this origin only: no inline script or style, no frames.
      {"Content-Security-Policy",
       "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
       "object-src 'none'"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
}

RequestGuard::RequestGuard(std::vector<std::string> allowed_hosts) {
  for (std::string& host : allowed_hosts) allowed_hosts_.push_back(lower(std::move(host)));
}

bool RequestGuard::allowed(const std::string& host) const {
  return std::find(allowed_hosts_.begin(), allowed_hosts_.end(), lower(host)) !=
         allowed_hosts_.end();
}

std::optional<Refusal> RequestGuard::check(const httplib::Request& req) const {
  const bool probe = req.method == "GET" && (req.path == "/healthz" || req.path == "/readyz");
  if (!probe) {
    if (req.get_header_value_count("Host") != 1) {
      return Refusal{400, "bad_host", "a request needs exactly one Host header"};
    }
    const std::string host = req.get_header_value("Host");
    if (!allowed(host)) {
      return Refusal{421, "misdirected_host",
                     "Host " + quoted(host) +
                         " is not one this node answers to; add it to http.allowed_hosts if "
                         "clients reach the node by that name"};
    }
  }
  if (!isWrite(req.method)) return std::nullopt;
  const std::string site = lower(req.get_header_value("Sec-Fetch-Site"));
  if (site == "cross-site" || site == "same-site") {
    return Refusal{403, "cross_site",
                   "a write from another site (Sec-Fetch-Site: " + site +
                       ") is refused; use the CLI or a client that is not a web page"};
  }
  if (req.has_header("Origin")) {
    const std::string origin = lower(req.get_header_value("Origin"));
    const bool same = (origin.rfind("http://", 0) == 0 && allowed(origin.substr(7))) ||
                      (origin.rfind("https://", 0) == 0 && allowed(origin.substr(8)));
    if (!same) {
      return Refusal{403, "cross_site",
                     "a write from Origin " + quoted(origin) +
                         " is refused: only pages of this node's own address may write"};
    }
  }
  return std::nullopt;
}

}  // namespace eichub::http
