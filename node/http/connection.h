// Connection: one accepted HTTP connection, owned by the front door while it waits for a request
// head and by a worker while its request is served; and the httplib Stream a worker reads the
// request from, which enforces the request's deadline on every read.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <httplib.h>

#include "node/http/listen_socket.h"
#include "node/http/request_head.h"

namespace eichub::http {

using Clock = std::chrono::steady_clock;

struct Connection {
  // fd: an accepted, non-blocking socket; its addresses are read once here.
  Connection(UniqueFd socket, Clock::time_point now);

  // Starts the wait for the next request head at now; keeps any pipelined bytes.
  void awaitRequest(Clock::time_point now);

  UniqueFd fd;
  std::string buffer;            // bytes received and not yet consumed by a request
  HeadScan scan;                 // progress of the head scan over buffer
  RequestHead head;              // the complete head being served (kComplete)
  Clock::time_point wait_start;  // accept or the previous answer: the head deadline's origin
  size_t requests_served = 0;
  bool lingering = false;  // answered and shut for writing: input is discarded until the close
  Clock::time_point linger_until{};
  std::string remote_ip, local_ip;
  int remote_port = 0, local_port = 0;
};

// Reads first what the front door buffered (the head, maybe more), then the socket; a read
// waits at most until read_deadline, then fails (-1), and httplib ends the request. A write
// waits at most write_timeout for the client to read. Not thread-safe: one worker uses it.
class ConnectionStream final : public httplib::Stream {
 public:
  // timeout_answer: what a read past read_deadline writes to the client (a 408 that names the
  // deadline); httplib's own answer after that is discarded. Borrowed: it must outlive the
  // stream.
  ConnectionStream(Connection& connection, Clock::time_point read_deadline,
                   std::chrono::milliseconds write_timeout, std::string_view timeout_answer)
      : connection_(connection),
        read_deadline_(read_deadline),
        write_timeout_(write_timeout),
        timeout_answer_(timeout_answer) {}

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return connection_.fd.get(); }

  // Bytes read so far (buffered and from the socket).
  uint64_t bytesRead() const { return bytes_read_; }
  // True once a read hit the deadline (and the timeout answer was sent).
  bool timedOut() const { return timed_out_; }
  // Drops the buffered bytes read so far from the connection's buffer (after the request).
  void consumeBuffered();

 private:
  Connection& connection_;
  Clock::time_point read_deadline_;
  std::chrono::milliseconds write_timeout_;
  std::string_view timeout_answer_;
  size_t buffered_read_ = 0;  // of connection_.buffer
  uint64_t bytes_read_ = 0;
  bool timed_out_ = false;
};

// Writes all of bytes to a non-blocking socket, waiting at most timeout in all; false when the
// client did not take them (or the connection failed).
bool writeAll(int fd, std::string_view bytes, std::chrono::milliseconds timeout);

}  // namespace eichub::http
