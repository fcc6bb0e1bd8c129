// HttpServer: cpp-httplib configured with explicit limits and JSON errors everywhere.
#include "node/http/http_server.h"

#include <charconv>
#include <exception>

#include "node/http/json_reply.h"
#include "node/http/routes.h"
#include "node/log.h"

namespace eichub::http {

HttpServer::HttpServer(Token, std::unique_ptr<ApiContext> context) : context_(std::move(context)) {}

Result<std::unique_ptr<HttpServer>> HttpServer::start(const std::string& listen,
                                                      std::unique_ptr<ApiContext> context) {
  size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon > 0) {
    const char* begin = listen.data() + colon + 1;
    const char* end = listen.data() + listen.size();
    auto [at, ec] = std::from_chars(begin, end, port);
    if (ec != std::errc() || at != end || port < 0 || port > 65535) port = -1;
  }
  if (port < 0) return Status::InvalidArgument("http.listen must be host:port", listen);
  const std::string host = listen.substr(0, colon);

  auto server = std::make_unique<HttpServer>(Token{}, std::move(context));
  httplib::Server& s = server->server_;
  // httplib takes ownership of the queue it is handed (its API needs a raw pointer).
  s.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
  s.set_payload_max_length(kMaxBodyBytes);
  s.set_read_timeout(kReadTimeoutSeconds, 0);
  s.set_write_timeout(kReadTimeoutSeconds, 0);
  s.set_keep_alive_timeout(kKeepAliveSeconds);
  s.set_keep_alive_max_count(kKeepAliveMaxRequests);
  // Headers and body go out in separate writes: without this, Nagle's algorithm and the
  // client's delayed ACK add ~40 ms to every keep-alive answer.
  s.set_tcp_nodelay(true);
  // Errors httplib answers itself (404, 413, 400 ...) get the same JSON shape as ours.
  static_assert(kMaxFormBodyBytes == CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH);
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        // httplib caps form bodies (application/x-www-form-urlencoded) far below kMaxBodyBytes.
        const bool form =
            req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0;
        const size_t limit = form ? kMaxFormBodyBytes : kMaxBodyBytes;
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
  addRoutes(s, *server->context_);

  int bound = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) return Status::Unavailable("cannot listen for HTTP on " + listen);
  server->address_ = host + ":" + std::to_string(bound);
  server->thread_ = std::thread([&s] { s.listen_after_bind(); });
  return server;
}

HttpServer::~HttpServer() {
  context_->board.stop();  // long polls answer at once
  context_->applied.stop();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace eichub::http
