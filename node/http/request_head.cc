// Request head scanning: line by line, each limit checked as soon as it can be exceeded.
#include "node/http/request_head.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace eichub::http {
namespace {

RequestHead refuse(int status, std::string code, std::string message) {
  RequestHead head;
  head.state = HeadState::kRefused;
  head.status = status;
  head.code = std::move(code);
  head.message = std::move(message);
  return head;
}

RequestHead headTooLarge(const HttpLimits& limits) {
  return refuse(431, "header_too_large",
                "request head larger than " + std::to_string(limits.max_head_bytes) + " bytes");
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

void readRequestLine(std::string_view line, RequestHead& head) {
  size_t space = line.find(' ');
  head.method = std::string(line.substr(0, space));
  if (space == std::string_view::npos) return;
  std::string_view target = line.substr(space + 1);
  target = target.substr(0, target.find(' '));
  head.path = std::string(target.substr(0, target.find('?')));
}

void readHeaderLine(std::string_view line, RequestHead& head) {
  if (startsWithNoCase(line, "content-length:")) {
    std::string_view value = trim(line.substr(15));
    uint64_t length = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec == std::errc() && end == value.data() + value.size()) head.content_length = length;
    head.has_body_framing = true;
  } else if (startsWithNoCase(line, "transfer-encoding:")) {
    head.has_body_framing = true;
  }
}

}  // namespace

RequestHead scanHead(std::string_view buffer, const HttpLimits& limits, HeadScan& scan) {
  while (true) {
    const size_t newline = buffer.find('\n', scan.line_start);
    if (newline == std::string_view::npos) {
      const size_t partial = buffer.size() - scan.line_start;
      if (scan.lines == 0 && partial > limits.max_request_line_bytes) break;
      if (buffer.size() > limits.max_head_bytes) return headTooLarge(limits);
      return scan.head;  // kIncomplete
    }
    const size_t end = newline + 1;
    std::string_view line = buffer.substr(scan.line_start, end - scan.line_start);
    if (end > limits.max_head_bytes) return headTooLarge(limits);
    if (scan.lines == 0) {
      if (line.size() > limits.max_request_line_bytes) break;
      readRequestLine(trim(line.substr(0, line.size() - 1)), scan.head);
    } else if (line == "\r\n" || line == "\n") {
      scan.head.state = HeadState::kComplete;
      scan.head.bytes = end;
      return scan.head;
    } else {
      if (scan.lines > limits.max_header_count) {
        return refuse(431, "too_many_headers",
                      "more than " + std::to_string(limits.max_header_count) + " header fields");
      }
      readHeaderLine(line, scan.head);
    }
    ++scan.lines;
    scan.line_start = end;
  }
  return refuse(
      414, "uri_too_long",
      "request line longer than " + std::to_string(limits.max_request_line_bytes) + " bytes");
}

}  // namespace eichub::http
