// RequestGuard: what a browser page must not do with the node's HTTP port. A Host outside the
// allow-list is refused (DNS rebinding), a write from another site is refused (CSRF), and every
// answer carries headers that keep the dashboard out of frames and other pages' scripts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

namespace eichub::http {

// The Host values a node answers to when http.allowed_hosts is empty: the listen address as
// configured and the loopback names, each with the bound port.
std::vector<std::string> defaultAllowedHosts(const std::string& listen_host, int port);

// X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Content-Security-Policy and
// Cross-Origin-Resource-Policy, sent with every answer.
httplib::Headers securityHeaders();

struct Refusal {
  int status = 0;
  std::string code;  // stable: "misdirected_host", "bad_host", "cross_site"
  std::string message;
};

class RequestGuard {
 public:
  // allowed_hosts: Host header values ("host:port", or "host" for a default port behind a
  // proxy), compared without regard to case.
  explicit RequestGuard(std::vector<std::string> allowed_hosts);

  // nullopt when req may be routed. Refuses (421) a Host not in the list, and (400) a request
  // without exactly one Host; /healthz and /readyz are exempt, since probes name the node by
  // its IP and they reveal nothing. Refuses (403) a POST, PUT, PATCH or DELETE whose
  // Sec-Fetch-Site is cross-site or same-site, or whose Origin is not http(s)://<allowed host>;
  // requests without those headers (curl, the CLI) pass. Thread-safe (immutable).
  std::optional<Refusal> check(const httplib::Request& req) const;

 private:
  bool allowed(const std::string& host) const;

  std::vector<std::string> allowed_hosts_;  // lower case
};

}  // namespace eichub::http
