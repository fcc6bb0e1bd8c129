// HttpServer: the daemon's HTTP endpoint (JSON API, metrics, health, dashboard) on its own
// threads. Handlers only read the store and the reactor's snapshot; POST publish writes through
// the publish function of its ApiContext.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "node/http/api_context.h"
#include "node/http/front_door.h"
#include "node/http/http_limits.h"
#include "node/http/request_guard.h"

namespace eichub::http {

// httplib's own cap on application/x-www-form-urlencoded bodies (no endpoint takes forms).
inline constexpr size_t kMaxFormBodyBytes = 8192;

struct HttpOptions {
  std::string listen;  // host:port; port 0 picks a free one
  // Host header values answered (http.allowed_hosts); empty: defaultAllowedHosts of listen.
  std::vector<std::string> allowed_hosts;
  HttpLimits limits;
};

class HttpServer {
 public:
  // Binds options.listen and starts serving (FrontDoor). context is owned by the server.
  // Errors: InvalidArgument (not host:port), Unavailable (cannot bind).
  static Result<std::unique_ptr<HttpServer>> start(const HttpOptions& options,
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
  std::unique_ptr<RequestGuard> guard_;
  RequestProcessor processor_;
  std::unique_ptr<FrontDoor> front_door_;  // destroyed first: its workers use the rest
  std::string address_;
};

}  // namespace eichub::http
