// HttpLimits: every bound on what an HTTP client may send to the node and how long it may hold
// a connection or a worker, each with its reason. The daemon takes them from config.toml's
// [limits.http] (node/config/limits.cc); tests shrink the deadlines and counts to reach each
// limit quickly.
#pragma once

#include <chrono>
#include <cstddef>

namespace eichub::http {

// A request head (request line, header fields, blank line) larger than this is refused (431).
// Browsers send 1-2 KiB; cookies other local apps set for "localhost" ride along, hence the room.
inline constexpr size_t kMaxHeadBytes = 32u << 10;
// More header fields than this are refused (431): Apache's LimitRequestFields.
inline constexpr size_t kMaxHeaderCount = 100;
// A longer request line is refused (414): httplib's own compiled-in URI cap, named here.
inline constexpr size_t kMaxRequestLineBytes = 8192;
// The largest request body: a publish of ~40k records; larger goes through the CLI.
inline constexpr size_t kMaxBodyBytes = 16u << 20;
// A connection must deliver a complete request head this soon after it was accepted or its
// previous answer was sent; idle keep-alive connections and slowloris heads are closed then.
inline constexpr std::chrono::milliseconds kHeadDeadline{5000};
// The whole request, head and body, must arrive this soon after the wait for its head began: a
// body trickled a byte at a time holds a worker no longer (a 16 MiB publish on a LAN takes < 2 s).
inline constexpr std::chrono::milliseconds kRequestDeadline{30'000};
// One write of an answer may wait this long for a client that does not read.
inline constexpr std::chrono::milliseconds kWriteTimeout{10'000};
// After a refusal or a closing answer, unread input is discarded this long before the close, so
// that the close does not reset the connection before the client has read the answer.
inline constexpr std::chrono::milliseconds kLingerTime{2000};
// Open connections at most (file descriptors); at the cap the one waiting longest for its head
// is closed, so idle connections cannot lock out a health check.
inline constexpr size_t kMaxConnections = 256;
// Threads that run API and dashboard requests: dashboards and scrapers, not a public site.
inline constexpr size_t kHttpThreads = 4;
// Complete requests waiting for one of those threads; more are answered 503 with Retry-After.
inline constexpr size_t kMaxQueuedRequests = 16;
// /healthz, /readyz and /metrics have a thread of their own and this queue, so that API load
// cannot make a node look dead.
inline constexpr size_t kHealthThreads = 1;
inline constexpr size_t kMaxQueuedHealthRequests = 16;
// Requests served on one connection before it is closed (keep-alive).
inline constexpr size_t kKeepAliveMaxRequests = 100;
// The kernel's queue of connections not yet accepted. The front door accepts at once, but on a
// busy machine a burst of connects can arrive before its turn: a full queue drops them, and
// each client then waits a second to retry its SYN.
inline constexpr int kListenBacklog = 512;
// ELM exports streaming at once: each holds an API thread while it streams, the rest stay free.
inline constexpr size_t kMaxConcurrentExports = 2;
// Seconds a refused client is told to wait (Retry-After) when the queues are full.
inline constexpr int kRetryAfterSeconds = 1;

struct HttpLimits {
  size_t max_head_bytes = kMaxHeadBytes;
  size_t max_header_count = kMaxHeaderCount;
  size_t max_request_line_bytes = kMaxRequestLineBytes;
  size_t max_body_bytes = kMaxBodyBytes;
  std::chrono::milliseconds head_deadline = kHeadDeadline;
  std::chrono::milliseconds request_deadline = kRequestDeadline;
  std::chrono::milliseconds write_timeout = kWriteTimeout;
  std::chrono::milliseconds linger_time = kLingerTime;
  size_t max_connections = kMaxConnections;
  size_t threads = kHttpThreads;
  size_t max_queued_requests = kMaxQueuedRequests;
  size_t health_threads = kHealthThreads;
  size_t max_queued_health_requests = kMaxQueuedHealthRequests;
  size_t keep_alive_max_requests = kKeepAliveMaxRequests;
  size_t max_concurrent_exports = kMaxConcurrentExports;
};

}  // namespace eichub::http
