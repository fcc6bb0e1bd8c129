// HttpServer: cpp-httplib's routing behind the front door, with explicit limits, the request
// guard and JSON errors everywhere.
#include "node/http/http_server.h"

#include <algorithm>
#include <charconv>
#include <exception>

#include "node/http/json_reply.h"
#include "node/http/listen_socket.h"
#include "node/http/routes.h"
#include "node/log.h"

namespace eichub::http {

HttpServer::HttpServer(Token, std::unique_ptr<ApiContext> context) : context_(std::move(context)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpOptions& options,
                                                      std::unique_ptr<ApiContext> context) {
  const std::string& listen = options.listen;
  size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0) {
    const char* begin = listen.data() + colon + 1;
    const char* end = listen.data() + listen.size();
    auto [at, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || at != end || port < 0 || port > 65535) port = -1;
  }
  if (port < 0) return Status::InvalidArgument("http.listen must be host:port", listen);
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:7481
  }
  auto listener = listenTcp(host, port, kListenBacklog);
  if (!listener.ok()) {
    return Status::Unavailable("cannot listen for HTTP on " + listen, listener.status().message());
  }
  const int bound = boundPort(listener->get());
  if (bound <= 0) return Status::Unavailable("cannot listen for HTTP on " + listen);

  auto server = std::make_unique<HttpServer>(Token{}, std::move(context));
  server->address_ = listen.substr(0, colon) + ":" + std::to_string(bound);
  server->guard_ = std::make_unique<RequestGuard>(
      options.allowed_hosts.empty() ? defaultAllowedHosts(listen.substr(0, colon), bound)
                                    : options.allowed_hosts);
  httplib::Server& s = server->processor_;
  s.set_payload_max_length(options.limits.max_body_bytes);
  server->context_->max_concurrent_exports = options.limits.max_concurrent_exports;
  // The Keep-Alive header httplib writes states the front door's bounds.
  s.set_keep_alive_timeout(
      std::chrono::ceil<std::chrono::seconds>(options.limits.head_deadline).count());
  s.set_keep_alive_max_count(options.limits.keep_alive_max_requests);
  s.set_default_headers(securityHeaders());
  ApiContext& api = *server->context_;
  const RequestGuard& guard = *server->guard_;
  // Before routing, so before a handler runs or a body is read.
  s.set_pre_routing_handler([&guard, &api](const httplib::Request& req, httplib::Response& res) {
    auto refusal = guard.check(req);
    if (!refusal) return httplib::Server::HandlerResponse::Unhandled;
    api.metrics.countHttpRefusal(refusal->code);
    replyError(res, refusal->status, refusal->code, refusal->message);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors httplib answers itself (404, 413, 400 ...) get the same JSON shape as ours.
  static_assert(kMaxFormBodyBytes == CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH);
  s.set_error_handler(httplib::Server::HandlerWithResponse(
      [max_body_bytes = options.limits.max_body_bytes](const httplib::Request& req,
                                                       httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        // httplib caps form bodies (application/x-www-form-urlencoded) below the body limit.
        const bool form =
            req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0;
        const size_t limit = form ? std::min(kMaxFormBodyBytes, max_body_bytes) : max_body_bytes;
        std::string message =
            res.status == 404 ? "no such endpoint; see docs/openapi.yaml"
            : res.status == 413
                ? "request body larger than " + std::to_string(limit) + " bytes" +
                      (form ? " (a form body; send JSON Lines as application/x-ndjson)" : "")
                : "request refused (HTTP " + std::to_string(res.status) + ")";
        replyError(res, res.status, errorCodeOf(res.status), message);
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unknown";
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {  // logged and answered; the server goes on
        }
        log::error("event=http_error path={} err=\"{}\"", req.path, what);
        replyError(res, 500, "internal", "internal error; see the daemon log");
      });
  addRoutes(s, api);

  server->front_door_ = std::make_unique<FrontDoor>(
      std::move(listener).value(), server->processor_, options.limits,
      [&api](std::string_view code) { api.metrics.countHttpRefusal(code); });
  return server;
}

HttpServer::~HttpServer() {
  context_->applied.stop();  // long polls answer at once
  front_door_.reset();
}

}  // namespace eichub::http
