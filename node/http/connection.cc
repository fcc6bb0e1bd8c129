// Connections and the deadline-bound stream httplib reads requests from.
#include "node/http/connection.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace eichub::http {
namespace {

void addressOf(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    port = ntohs(v6->sin6_port);
  }
  ip = text;
}

// Waits until fd is ready for events or deadline passes.
bool waitUntil(int fd, short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, static_cast<int>(std::min<int64_t>(left.count(), 60'000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

}  // namespace

Connection::Connection(UniqueFd socket, Clock::time_point now)
    : fd(std::move(socket)), wait_start(now) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    addressOf(address, remote_ip, remote_port);
  }
  length = sizeof(address);
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    addressOf(address, local_ip, local_port);
  }
}

void Connection::awaitRequest(Clock::time_point now) {
  scan = HeadScan{};
  head = RequestHead{};
  wait_start = now;
}

bool ConnectionStream::is_readable() const {
  return buffered_read_ < connection_.buffer.size() ||
         waitUntil(connection_.fd.get(), POLLIN, read_deadline_);
}

bool ConnectionStream::is_writable() const {
  return waitUntil(connection_.fd.get(), POLLOUT, Clock::now() + write_timeout_);
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  const std::string& buffer = connection_.buffer;
  if (buffered_read_ < buffer.size()) {
    size_t n = std::min(size, buffer.size() - buffered_read_);
    std::memcpy(ptr, buffer.data() + buffered_read_, n);
    buffered_read_ += n;
    bytes_read_ += n;
    return static_cast<ssize_t>(n);
  }
  while (true) {
    ssize_t n = ::recv(connection_.fd.get(), ptr, size, 0);
    if (n >= 0) {
      bytes_read_ += static_cast<uint64_t>(n);
      return n;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
    // The deadline covers the whole request: a client trickling bytes is cut at it.
    if (!waitUntil(connection_.fd.get(), POLLIN, read_deadline_)) {
      if (!timed_out_) writeAll(connection_.fd.get(), timeout_answer_, write_timeout_);
      timed_out_ = true;
      return -1;
    }
  }
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (timed_out_) return static_cast<ssize_t>(size);  // the client has its answer: the 408
  return writeAll(connection_.fd.get(), std::string_view(ptr, size), write_timeout_)
             ? static_cast<ssize_t>(size)
             : -1;
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = connection_.remote_ip;
  port = connection_.remote_port;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = connection_.local_ip;
  port = connection_.local_port;
}

void ConnectionStream::consumeBuffered() {
  connection_.buffer.erase(0, buffered_read_);
  buffered_read_ = 0;
}

bool writeAll(int fd, std::string_view bytes, std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
    if (!waitUntil(fd, POLLOUT, deadline)) return false;
  }
  return true;
}

}  // namespace eichub::http
