// The HTTP server's sockets: an owning file descriptor, and the listening TCP socket.
#pragma once

#include <string>
#include <utility>

#include <unistd.h>

#include "federation/common/result.h"

namespace eichub::http {

// Owns one file descriptor; closes it once. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

// A non-blocking TCP socket listening on host:port (port 0 picks a free one), with
// SO_REUSEADDR and a backlog of backlog. Errors: Unavailable (cannot resolve, bind or listen).
Result<UniqueFd> listenTcp(const std::string& host, int port, int backlog);
// The port a bound socket listens on; -1 on error.
int boundPort(int fd);

}  // namespace eichub::http
