// Conversion of config::Limits to the components' option structs.
#include "node/daemon/configured_limits.h"

namespace eichub::daemon {

namespace {

// Config ranges keep every value within int (limits.cc), so these never narrow.
int asInt(uint64_t value) { return static_cast<int>(value); }
std::chrono::milliseconds asMs(uint64_t value) {
  return std::chrono::milliseconds(static_cast<int64_t>(value));
}

}  // namespace

sync::SyncOptions syncOptionsOf(const config::Limits& limits) {
  sync::SyncOptions options;
  options.want_credit = static_cast<uint32_t>(limits.sync_want_credit);
  options.reject_limit = limits.sync_reject_limit;
  options.throttle_ms = static_cast<int64_t>(limits.sync_throttle_ms);
  options.want_timeout_ms = static_cast<int64_t>(limits.sync_want_timeout_ms);
  options.serve_budget_bytes = limits.sync_serve_budget_bytes;
  options.store_retry_ms = static_cast<int64_t>(limits.sync_store_retry_ms);
  options.stale_after_ms = static_cast<int64_t>(limits.sync_stale_after_ms);
  return options;
}

transport::SocketLimits socketLimitsOf(const config::Limits& limits) {
  transport::SocketLimits out;
  out.max_message_bytes = asInt(limits.transport_max_message_bytes);
  out.send_hwm = asInt(limits.transport_send_hwm);
  out.router_send_hwm = asInt(limits.transport_router_send_hwm);
  out.receive_hwm = asInt(limits.transport_receive_hwm);
  out.linger_ms = asInt(limits.transport_linger_ms);
  out.heartbeat_ivl_ms = asInt(limits.transport_heartbeat_ivl_ms);
  out.heartbeat_timeout_ms = asInt(limits.transport_heartbeat_timeout_ms);
  out.handshake_ivl_ms = asInt(limits.transport_handshake_ivl_ms);
  out.reconnect_ivl_ms = asInt(limits.transport_reconnect_ivl_ms);
  out.reconnect_ivl_max_ms = asInt(limits.transport_reconnect_ivl_max_ms);
  return out;
}

http::HttpLimits httpLimitsOf(const config::Limits& limits) {
  http::HttpLimits out;
  out.max_head_bytes = limits.http_max_head_bytes;
  out.max_header_count = limits.http_max_header_count;
  out.max_request_line_bytes = limits.http_max_request_line_bytes;
  out.max_body_bytes = limits.http_max_body_bytes;
  out.head_deadline = asMs(limits.http_head_deadline_ms);
  out.request_deadline = asMs(limits.http_request_deadline_ms);
  out.write_timeout = asMs(limits.http_write_timeout_ms);
  out.linger_time = asMs(limits.http_linger_ms);
  out.max_connections = limits.http_max_connections;
  out.threads = limits.http_threads;
  out.max_queued_requests = limits.http_max_queued_requests;
  out.health_threads = limits.http_health_threads;
  out.max_queued_health_requests = limits.http_max_queued_health_requests;
  out.keep_alive_max_requests = limits.http_keep_alive_max_requests;
  out.max_concurrent_exports = limits.http_max_concurrent_exports;
  return out;
}

}  // namespace eichub::daemon
