// FrontDoor: the HTTP server's accept loop, in front of httplib's request parsing and routing.
// One thread polls every connection that is not being served: it reads each request head into
// memory and checks it against the head limits, and only a complete head reaches a worker. So
// idle and slowloris connections cost a descriptor and a poll entry, never a worker; a worker
// reads the body under the request's deadline; a full queue is answered 503 at once; and
// /healthz, /readyz and /metrics have a worker of their own. httplib's own loop cannot do this:
// it gives each connection a worker from its accept to its close.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>

#include "federation/common/mutex.h"
#include "node/http/connection.h"
#include "node/http/http_limits.h"
#include "node/http/listen_socket.h"
#include "node/http/worker_lane.h"

namespace eichub::http {

// httplib's server with its one-request step made callable: routes and handlers are httplib's.
class RequestProcessor : public httplib::Server {
 public:
  // httplib writes a content provider's answer (a streamed export) only while it takes its own
  // listening socket for open (its is_shutting_down() tests svr_sock_). The front door listens
  // instead, so the socket is marked open with a value nothing closes: Server::stop() closes it
  // only after listen(), which is never called.
  RequestProcessor() { svr_sock_ = kProvidersEnabled; }
  // Reads one request from stream, routes it and writes the answer (with Connection: close when
  // close_connection). connection_closed is set when the client asked to close. False when the
  // request could not be read or the answer not written.
  bool processOne(httplib::Stream& stream, bool close_connection, bool& connection_closed) {
    return process_request(stream, close_connection, connection_closed, nullptr);
  }

 private:
  static constexpr int kProvidersEnabled = 0;  // a socket_t (int on POSIX)
};

class FrontDoor {
 public:
  // Called with a stable code word each time a client is refused by a limit (on the loop or a
  // worker thread): "header_too_large", "too_many_headers", "uri_too_long", "request_timeout",
  // "overloaded", "evicted". Must be thread-safe.
  using RefusalFn = std::function<void(std::string_view code)>;

  // Serves requests arriving on listener (listening, non-blocking) through processor, which
  // must outlive the front door. Starts the loop thread and the workers at once.
  FrontDoor(UniqueFd listener, RequestProcessor& processor, const HttpLimits& limits,
            RefusalFn on_refusal);
  // Stops accepting, closes waiting connections, lets requests being served finish, joins.
  ~FrontDoor();
  FrontDoor(const FrontDoor&) = delete;
  FrontDoor& operator=(const FrontDoor&) = delete;

 private:
  void run();
  void acceptAll(Clock::time_point now);
  bool evictOne();
  // Reads what the client sent; false when the connection is to be dropped.
  bool onReadable(Connection& connection, Clock::time_point now);
  // Looks for a complete head in connection's buffer: refuses, dispatches, or leaves it waiting.
  // Returns the connection when it stays with the loop.
  std::unique_ptr<Connection> examine(std::unique_ptr<Connection> connection);
  void refuse(Connection& connection, int status, const std::string& code,
              const std::string& message, int retry_after_seconds = 0);
  void startLinger(Connection& connection);
  void serve(std::unique_ptr<Connection> connection);  // on a worker
  void handBack(std::unique_ptr<Connection> connection);
  void takeReturned();
  void wake();

  const HttpLimits limits_;
  const std::string request_timeout_answer_;  // what a request past its deadline is told
  RequestProcessor& processor_;
  const RefusalFn on_refusal_;
  UniqueFd listener_;
  UniqueFd wake_fd_;  // eventfd: handed-back connections and stop
  std::atomic<bool> stopping_{false};
  // Loop thread only.
  std::vector<std::unique_ptr<Connection>> waiting_;
  Clock::time_point listener_paused_until_{};
  // Connections with a lane or in returned_; with waiting_, the open connections.
  std::atomic<size_t> out_{0};
  Mutex returned_mu_;
  std::vector<std::unique_ptr<Connection>> returned_ EICHUB_GUARDED_BY(returned_mu_);
  WorkerLane api_lane_;
  WorkerLane health_lane_;
  std::thread thread_;
};

}  // namespace eichub::http
