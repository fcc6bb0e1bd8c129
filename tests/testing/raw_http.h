// Raw HTTP over a TCP socket, for tests that must send what no well-behaved client sends:
// half a head, a byte at a time, 400,000 header fields, or nothing at all.
#pragma once

#include <chrono>
#include <string>

namespace eichub::testing {

// One client connection to host:port (blocking socket); closed by the destructor.
class RawConnection {
 public:
  // Connects at once; connected() says whether it worked.
  explicit RawConnection(const std::string& address);  // "host:port"
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Sends all of bytes, waiting at most timeout; false when the server stopped taking them.
  bool send(const std::string& bytes,
            std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Reads one answer: until its Content-Length is complete, the server closes, or timeout
  // passes. What arrived (possibly nothing); bytes of a next (pipelined) answer are kept.
  std::string readAnswer(std::chrono::milliseconds timeout);
  // True when the server closed (or reset) the connection within timeout, reading and
  // discarding what it sent.
  bool closedWithin(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;  // read beyond the last answer returned
};

// The status of a raw answer ("HTTP/1.1 431 ..." -> 431); 0 when there is none.
int statusOf(const std::string& answer);
// The value of header name in a raw answer; empty when absent. Name without regard to case.
std::string headerOf(const std::string& answer, const std::string& name);
// The body of a raw answer (after the blank line).
std::string bodyOf(const std::string& answer);

}  // namespace eichub::testing
