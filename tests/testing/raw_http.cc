// Raw HTTP client sockets for tests.
#include "tests/testing/raw_http.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace eichub::testing {
namespace {

using Clock = std::chrono::steady_clock;

int millisLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RawConnection::RawConnection(const std::string& address) {
  const size_t colon = address.rfind(':');
  const std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return;
  for (addrinfo* at = found; at != nullptr && fd_ < 0; at = at->ai_next) {
    fd_ = ::socket(at->ai_family, at->ai_socktype | SOCK_CLOEXEC, at->ai_protocol);
    if (fd_ >= 0 && ::connect(fd_, at->ai_addr, at->ai_addrlen) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  freeaddrinfo(found);
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(const std::string& bytes, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd entry{fd_, POLLOUT, 0};
    if (::poll(&entry, 1, millisLeft(deadline)) <= 0) return false;
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

std::string RawConnection::readAnswer(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::string answer = std::move(pending_);
  pending_.clear();
  char chunk[4096];
  while (true) {
    const size_t head_end = answer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      const std::string length = headerOf(answer, "Content-Length");
      const size_t end = head_end + 4 + (length.empty() ? 0 : std::stoul(length));
      if (!length.empty() && answer.size() >= end) {
        pending_ = answer.substr(end);
        answer.resize(end);
        return answer;
      }
    }
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, millisLeft(deadline)) <= 0) return answer;
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return answer;
    answer.append(chunk, static_cast<size_t>(n));
  }
}

bool RawConnection::closedWithin(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  char chunk[4096];
  while (true) {
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, millisLeft(deadline)) <= 0) return false;
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
  }
}

int statusOf(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::atoi(answer.c_str() + 9);
}

std::string headerOf(const std::string& answer, const std::string& name) {
  const std::string raw = answer.substr(0, answer.find("\r\n\r\n"));
  const std::string head = lower(raw);
  const std::string key = "\r\n" + lower(name) + ":";
  size_t at = head.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  std::string value = raw.substr(at, head.find("\r\n", at) - at);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

std::string bodyOf(const std::string& answer) {
  size_t at = answer.find("\r\n\r\n");
  return at == std::string::npos ? "" : answer.substr(at + 4);
}

}  // namespace eichub::testing
