// HttpServer: the daemon's HTTP endpoint (JSON API, metrics, health, dashboard) on its own
// threads. Handlers only read the store and the reactor's snapshot; POST publish writes through
// the publish function of its ApiContext.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include <httplib.h>

#include "federation/common/result.h"
#include "node/http/api_context.h"

namespace eichub::http {

// Limits on what clients may send and hold. Each has a reason.
inline constexpr size_t kMaxBodyBytes = 16u << 20;  // a publish of ~40k records; larger: CLI
// httplib's own cap on application/x-www-form-urlencoded bodies (no endpoint takes forms).
inline constexpr size_t kMaxFormBodyBytes = 8192;
inline constexpr size_t kHttpThreads = 4;          // dashboards and scrapers, not a public site
inline constexpr time_t kReadTimeoutSeconds = 10;  // a slow client cannot hold a thread longer
inline constexpr time_t kKeepAliveSeconds = 5;     // an idle keep-alive connection holds a thread
inline constexpr size_t kKeepAliveMaxRequests = 100;

class HttpServer {
 public:
  // Binds listen ("host:port"; port 0 picks a free one) and starts serving on kHttpThreads
  // threads. context is owned by the server. Errors: InvalidArgument (not host:port),
  // Unavailable (cannot bind).
  static Result<std::unique_ptr<HttpServer>> start(const std::string& listen,
                                                   std::unique_ptr<ApiContext> context);
  // Stops accepting, finishes the requests in flight and joins the threads.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address, host:port.
  const std::string& address() const { return address_; }
  // The context the handlers use: the daemon replaces its reloadable parts (the API token).
  ApiContext& context() { return *context_; }

 private:
  struct Token {
    explicit Token() = default;
  };

 public:
  HttpServer(Token, std::unique_ptr<ApiContext> context);

 private:
  std::unique_ptr<ApiContext> context_;
  httplib::Server server_;
  std::thread thread_;
  std::string address_;
};

}  // namespace eichub::http
