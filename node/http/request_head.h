// RequestHead: finds a complete HTTP request head in the bytes a connection has sent so far and
// checks it against the head limits before any worker or httplib sees it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "node/http/http_limits.h"

namespace eichub::http {

enum class HeadState { kIncomplete, kComplete, kRefused };

struct RequestHead {
  HeadState state = HeadState::kIncomplete;
  // kComplete: the head's size, blank line included, and what the front door routes on.
  size_t bytes = 0;
  std::string method;
  std::string path;                        // without the query
  std::optional<uint64_t> content_length;  // a valid Content-Length, when sent
  bool has_body_framing = false;           // Content-Length or Transfer-Encoding was sent
  // kRefused: the answer (431 or 414), a stable code word and a message naming the limit.
  int status = 0;
  std::string code;
  std::string message;
};

// Where a scan of a growing buffer stopped: the next scan resumes at the first unfinished line
// instead of scanning the whole buffer again. Reset it when the buffer's front is consumed.
struct HeadScan {
  size_t line_start = 0;
  size_t lines = 0;  // complete lines so far, the request line included
  RequestHead head;  // fields gathered from the lines scanned so far
};

// Scans buffer (what the client sent since its last request) from scan's position. Refuses a
// request line longer than limits.max_request_line_bytes (CRLF included), more header fields
// than limits.max_header_count and a head longer than limits.max_head_bytes, as soon as the
// bytes show it: a client sending 400,000 headers is refused after the first 101. Pure.
RequestHead scanHead(std::string_view buffer, const HttpLimits& limits, HeadScan& scan);

}  // namespace eichub::http
