// The front door's loop: accept, read heads, refuse or dispatch, linger, expire.
#include "node/http/front_door.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "federation/common/thread_name.h"
#include "node/http/closing_answer.h"
#include "node/log.h"

namespace eichub::http {
namespace {

// A paused accept (out of descriptors) is retried this soon.
constexpr std::chrono::milliseconds kAcceptPause{100};
// Bytes read from a socket at a time, and reads of one connection per wake of the loop.
constexpr size_t kReadChunkBytes = 16u << 10;
constexpr size_t kMaxReadsPerWake = 64;

bool isHealthPath(const RequestHead& head) {
  return head.method == "GET" &&
         (head.path == "/healthz" || head.path == "/readyz" || head.path == "/metrics");
}

std::string millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

FrontDoor::FrontDoor(UniqueFd listener, RequestProcessor& processor, const HttpLimits& limits,
                     RefusalFn on_refusal)
    : limits_(limits),
      request_timeout_answer_(
          closingAnswer(408, "request_timeout",
                        "request not received within " + millis(limits.request_deadline))),
      processor_(processor),
      on_refusal_(std::move(on_refusal)),
      listener_(std::move(listener)),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      api_lane_("http-api", limits.threads, limits.max_queued_requests,
                [this](std::unique_ptr<Connection> c) { serve(std::move(c)); }),
      health_lane_("http-health", limits.health_threads, limits.max_queued_health_requests,
                   [this](std::unique_ptr<Connection> c) { serve(std::move(c)); }),
      thread_([this] {
        nameThisThread("http-accept");
        run();
      }) {}

FrontDoor::~FrontDoor() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
  api_lane_.stop();
  health_lane_.stop();
}

void FrontDoor::wake() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_.get(), &one, sizeof(one));
}

void FrontDoor::run() {
  std::vector<pollfd> fds;
  while (!stopping_) {
    takeReturned();
    Clock::time_point now = Clock::now();
    // The loop sleeps until a deadline, a socket or wake() (a stop, a connection handed back):
    // an idle daemon's front door never wakes on its own.
    Clock::time_point next = Clock::time_point::max();
    fds.clear();
    fds.push_back({wake_fd_.get(), POLLIN, 0});
    fds.push_back({now >= listener_paused_until_ ? listener_.get() : -1, POLLIN, 0});
    for (const auto& c : waiting_) {
      fds.push_back({c->fd.get(), POLLIN, 0});
      next = std::min(next, c->lingering ? c->linger_until : c->wait_start + limits_.head_deadline);
    }
    if (now < listener_paused_until_) next = std::min(next, listener_paused_until_);
    int wait_ms = -1;
    if (next != Clock::time_point::max()) {
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now);
      wait_ms = static_cast<int>(std::clamp<int64_t>(wait.count(), 0, INT32_MAX));
    }
    int ready = ::poll(fds.data(), fds.size(), wait_ms);
    if (ready < 0 && errno != EINTR) {
      log::error("event=http_poll_failed errno={}", errno);
      return;
    }
    now = Clock::now();
    if (fds[0].revents != 0) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t n = ::read(wake_fd_.get(), &count, sizeof(count));
    }
    // Connections first, by their slot in fds; the listener last, since accepting may evict.
    for (size_t i = 0; i < waiting_.size(); ++i) {
      const short revents = fds[i + 2].revents;
      bool keep = revents == 0 || onReadable(*waiting_[i], now);
      // A client may send its request and shut its side at once: serve what it sent.
      if (revents != 0 && !waiting_[i]->lingering && !waiting_[i]->buffer.empty()) {
        waiting_[i] = examine(std::move(waiting_[i]));
        if (!waiting_[i]) continue;  // with a worker
      }
      Connection& c = *waiting_[i];
      if (keep && now >= (c.lingering ? c.linger_until : c.wait_start + limits_.head_deadline)) {
        if (!c.lingering && !c.buffer.empty()) {
          refuse(c, 408, "request_timeout",
                 "request head not complete within " + millis(limits_.head_deadline));
        } else {
          keep = false;  // idle past the deadline, or done lingering
        }
      }
      if (!keep) waiting_[i].reset();
    }
    std::erase(waiting_, nullptr);
    if (fds[1].fd >= 0 && fds[1].revents != 0) acceptAll(now);
  }
  waiting_.clear();
}

void FrontDoor::acceptAll(Clock::time_point now) {
  while (true) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of descriptors (EMFILE, ENFILE): make room, and do not spin on the listener.
      if (!evictOne()) {
        log::warn("event=http_accept_paused errno={} pause_ms={}", errno, kAcceptPause.count());
        listener_paused_until_ = now + kAcceptPause;
      }
      return;
    }
    int yes = 1;  // answers go out in two writes; Nagle would hold the second ~40 ms
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    auto connection = std::make_unique<Connection>(UniqueFd(fd), now);
    if (waiting_.size() + out_ >= limits_.max_connections && !evictOne()) {
      on_refusal_("overloaded");
      writeAll(fd,
               closingAnswer(503, "overloaded", "too many open connections", kRetryAfterSeconds),
               std::chrono::milliseconds(0));
      continue;
    }
    waiting_.push_back(std::move(connection));
  }
}

bool FrontDoor::evictOne() {
  // A lingering connection first (it has its answer), else the one waiting longest for its head.
  auto victim = waiting_.end();
  for (auto at = waiting_.begin(); at != waiting_.end(); ++at) {
    if (victim == waiting_.end() || ((*at)->lingering && !(*victim)->lingering) ||
        ((*at)->lingering == (*victim)->lingering && (*at)->wait_start < (*victim)->wait_start)) {
      victim = at;
    }
  }
  if (victim == waiting_.end()) return false;
  if (!(*victim)->lingering) on_refusal_("evicted");
  waiting_.erase(victim);
  return true;
}

bool FrontDoor::onReadable(Connection& c, Clock::time_point now) {
  char chunk[kReadChunkBytes];
  // A lingering client sending fast is drained a bounded amount per wake, so that the others
  // are served between its chunks.
  for (size_t reads = 0; reads < kMaxReadsPerWake; ++reads) {
    // A head scan needs no more than one byte over the head limit to refuse it.
    const size_t head_room =
        limits_.max_head_bytes + 1 - std::min(c.buffer.size(), limits_.max_head_bytes + 1);
    const size_t room = c.lingering ? sizeof(chunk) : std::min(sizeof(chunk), head_room);
    if (room == 0) return true;
    ssize_t n = ::recv(c.fd.get(), chunk, room, 0);
    if (n == 0) return false;  // the client closed
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if (c.lingering) {
      if (now >= c.linger_until) return false;
      continue;  // discarded
    }
    c.buffer.append(chunk, static_cast<size_t>(n));
    if (static_cast<size_t>(n) < room) return true;
  }
  return true;
}

std::unique_ptr<Connection> FrontDoor::examine(std::unique_ptr<Connection> connection) {
  Connection& c = *connection;
  RequestHead head = scanHead(c.buffer, limits_, c.scan);
  if (head.state == HeadState::kIncomplete) return connection;
  if (head.state == HeadState::kRefused) {
    refuse(c, head.status, head.code, head.message);
    return connection;
  }
  c.head = std::move(head);
  WorkerLane& lane = isHealthPath(c.head) ? health_lane_ : api_lane_;
  ++out_;
  if (lane.offer(connection)) return nullptr;
  --out_;
  refuse(c, 503, "overloaded", "the node is busy: every HTTP worker and queue slot is taken",
         kRetryAfterSeconds);
  return connection;
}

void FrontDoor::refuse(Connection& c, int status, const std::string& code,
                       const std::string& message, int retry_after_seconds) {
  on_refusal_(code);
  log::debug("event=http_refused peer={}:{} code={} status={}", c.remote_ip, c.remote_port, code,
             status);
  // The socket buffer takes an answer this small at once; one that does not fit is dropped.
  writeAll(c.fd.get(), closingAnswer(status, code, message, retry_after_seconds),
           std::chrono::milliseconds(0));
  startLinger(c);
}

void FrontDoor::startLinger(Connection& c) {
  // Closing with unread input would reset the connection, and the client could lose the answer:
  // shut the sending side and discard input for a while (Apache's lingering close).
  ::shutdown(c.fd.get(), SHUT_WR);
  c.lingering = true;
  c.linger_until = Clock::now() + limits_.linger_time;
  c.buffer.clear();
}

void FrontDoor::serve(std::unique_ptr<Connection> connection) {
  Connection& c = *connection;
  ConnectionStream stream(c, c.wait_start + limits_.request_deadline, limits_.write_timeout,
                          request_timeout_answer_);
  const bool close = stopping_ || c.requests_served + 1 >= limits_.keep_alive_max_requests;
  bool client_closed = false;
  const bool ok = processor_.processOne(stream, close, client_closed);
  if (stream.timedOut()) on_refusal_("request_timeout");
  // A body the handler did not read (a refusal before it) would be taken for the next head.
  const bool body_unread =
      c.head.has_body_framing &&
      !(c.head.content_length && stream.bytesRead() >= c.head.bytes + *c.head.content_length);
  stream.consumeBuffered();
  ++c.requests_served;
  if (!ok || close || client_closed || body_unread || stream.timedOut()) {
    startLinger(c);
  } else {
    c.awaitRequest(Clock::now());
  }
  handBack(std::move(connection));
}

void FrontDoor::handBack(std::unique_ptr<Connection> connection) {
  {
    MutexLock lock(returned_mu_);
    returned_.push_back(std::move(connection));
  }
  wake();
}

void FrontDoor::takeReturned() {
  std::vector<std::unique_ptr<Connection>> returned;
  {
    MutexLock lock(returned_mu_);
    returned.swap(returned_);
  }
  out_ -= returned.size();
  for (auto& connection : returned) {
    // A pipelined request may be buffered already: no poll event will announce it.
    if (!connection->lingering && !connection->buffer.empty()) {
      connection = examine(std::move(connection));
    }
    if (connection) waiting_.push_back(std::move(connection));
  }
}

}  // namespace eichub::http
