// Tests for configured_limits: config.toml's default limits are exactly the components' own
// defaults, and each set value reaches the field it names.
#include "node/daemon/configured_limits.h"

#include <gtest/gtest.h>

#include "node/daemon/send_queue.h"

namespace eichub::daemon {
namespace {

TEST(ConfiguredLimitsTest, DefaultsAreTheComponentsDefaults) {
  const config::Limits defaults;
  const sync::SyncOptions sync_defaults;
  const sync::SyncOptions sync = syncOptionsOf(defaults);
  EXPECT_EQ(sync.want_credit, sync_defaults.want_credit);
  EXPECT_EQ(sync.reject_limit, sync_defaults.reject_limit);
  EXPECT_EQ(sync.throttle_ms, sync_defaults.throttle_ms);
  EXPECT_EQ(sync.want_timeout_ms, sync_defaults.want_timeout_ms);
  EXPECT_EQ(sync.serve_budget_bytes, sync::kServeBudgetBytes);
  EXPECT_EQ(sync.store_retry_ms, sync_defaults.store_retry_ms);
  EXPECT_EQ(sync.stale_after_ms, sync_defaults.stale_after_ms);
  EXPECT_EQ(defaults.sync_send_queue_bytes, kMaxQueuedBytesPerLink);

  const transport::SocketLimits socket_defaults;
  const transport::SocketLimits socket = socketLimitsOf(defaults);
  EXPECT_EQ(socket.max_message_bytes, socket_defaults.max_message_bytes);
  EXPECT_EQ(socket.send_hwm, socket_defaults.send_hwm);
  EXPECT_EQ(socket.receive_hwm, socket_defaults.receive_hwm);
  // The daemon's ROUTER keeps a few messages per peer and queues the rest in bytes (SendQueue).
  EXPECT_EQ(socket.router_send_hwm, 4);
  EXPECT_EQ(socket.linger_ms, socket_defaults.linger_ms);
  EXPECT_EQ(socket.heartbeat_ivl_ms, socket_defaults.heartbeat_ivl_ms);
  EXPECT_EQ(socket.heartbeat_timeout_ms, socket_defaults.heartbeat_timeout_ms);
  EXPECT_EQ(socket.handshake_ivl_ms, socket_defaults.handshake_ivl_ms);
  EXPECT_EQ(socket.reconnect_ivl_ms, socket_defaults.reconnect_ivl_ms);
  EXPECT_EQ(socket.reconnect_ivl_max_ms, socket_defaults.reconnect_ivl_max_ms);

  const http::HttpLimits http_defaults;
  const http::HttpLimits http = httpLimitsOf(defaults);
  EXPECT_EQ(http.max_head_bytes, http_defaults.max_head_bytes);
  EXPECT_EQ(http.max_header_count, http_defaults.max_header_count);
  EXPECT_EQ(http.max_request_line_bytes, http_defaults.max_request_line_bytes);
  EXPECT_EQ(http.max_body_bytes, http_defaults.max_body_bytes);
  EXPECT_EQ(http.head_deadline, http_defaults.head_deadline);
  EXPECT_EQ(http.request_deadline, http_defaults.request_deadline);
  EXPECT_EQ(http.write_timeout, http_defaults.write_timeout);
  EXPECT_EQ(http.linger_time, http_defaults.linger_time);
  EXPECT_EQ(http.max_connections, http_defaults.max_connections);
  EXPECT_EQ(http.threads, http_defaults.threads);
  EXPECT_EQ(http.max_queued_requests, http_defaults.max_queued_requests);
  EXPECT_EQ(http.health_threads, http_defaults.health_threads);
  EXPECT_EQ(http.max_queued_health_requests, http_defaults.max_queued_health_requests);
  EXPECT_EQ(http.keep_alive_max_requests, http_defaults.keep_alive_max_requests);
  EXPECT_EQ(http.max_concurrent_exports, http_defaults.max_concurrent_exports);
}

TEST(ConfiguredLimitsTest, EachValueReachesItsField) {
  // Distinct values, so that two fields swapped would show.
  config::Limits limits;
  uint64_t next = 1000;
  for (const config::LimitSpec& spec : config::limitSpecs()) limits.*spec.field = ++next;
  auto at = [&limits](uint64_t config::Limits::*field) { return limits.*field; };
  using L = config::Limits;
  const sync::SyncOptions sync = syncOptionsOf(limits);
  EXPECT_EQ(sync.want_credit, at(&L::sync_want_credit));
  EXPECT_EQ(sync.reject_limit, at(&L::sync_reject_limit));
  EXPECT_EQ(static_cast<uint64_t>(sync.throttle_ms), at(&L::sync_throttle_ms));
  EXPECT_EQ(static_cast<uint64_t>(sync.want_timeout_ms), at(&L::sync_want_timeout_ms));
  EXPECT_EQ(sync.serve_budget_bytes, at(&L::sync_serve_budget_bytes));
  EXPECT_EQ(static_cast<uint64_t>(sync.store_retry_ms), at(&L::sync_store_retry_ms));
  EXPECT_EQ(static_cast<uint64_t>(sync.stale_after_ms), at(&L::sync_stale_after_ms));

  const transport::SocketLimits socket = socketLimitsOf(limits);
  EXPECT_EQ(static_cast<uint64_t>(socket.max_message_bytes), at(&L::transport_max_message_bytes));
  EXPECT_EQ(static_cast<uint64_t>(socket.send_hwm), at(&L::transport_send_hwm));
  EXPECT_EQ(static_cast<uint64_t>(socket.receive_hwm), at(&L::transport_receive_hwm));
  EXPECT_EQ(static_cast<uint64_t>(socket.router_send_hwm), at(&L::transport_router_send_hwm));
  EXPECT_EQ(static_cast<uint64_t>(socket.linger_ms), at(&L::transport_linger_ms));
  EXPECT_EQ(static_cast<uint64_t>(socket.heartbeat_ivl_ms), at(&L::transport_heartbeat_ivl_ms));
  EXPECT_EQ(static_cast<uint64_t>(socket.heartbeat_timeout_ms),
            at(&L::transport_heartbeat_timeout_ms));
  EXPECT_EQ(static_cast<uint64_t>(socket.handshake_ivl_ms), at(&L::transport_handshake_ivl_ms));
  EXPECT_EQ(static_cast<uint64_t>(socket.reconnect_ivl_ms), at(&L::transport_reconnect_ivl_ms));
  EXPECT_EQ(static_cast<uint64_t>(socket.reconnect_ivl_max_ms),
            at(&L::transport_reconnect_ivl_max_ms));

  const http::HttpLimits http = httpLimitsOf(limits);
  EXPECT_EQ(http.max_head_bytes, at(&L::http_max_head_bytes));
  EXPECT_EQ(http.max_header_count, at(&L::http_max_header_count));
  EXPECT_EQ(http.max_request_line_bytes, at(&L::http_max_request_line_bytes));
  EXPECT_EQ(http.max_body_bytes, at(&L::http_max_body_bytes));
  EXPECT_EQ(static_cast<uint64_t>(http.head_deadline.count()), at(&L::http_head_deadline_ms));
  EXPECT_EQ(static_cast<uint64_t>(http.request_deadline.count()), at(&L::http_request_deadline_ms));
  EXPECT_EQ(static_cast<uint64_t>(http.write_timeout.count()), at(&L::http_write_timeout_ms));
  EXPECT_EQ(static_cast<uint64_t>(http.linger_time.count()), at(&L::http_linger_ms));
  EXPECT_EQ(http.max_connections, at(&L::http_max_connections));
  EXPECT_EQ(http.threads, at(&L::http_threads));
  EXPECT_EQ(http.max_queued_requests, at(&L::http_max_queued_requests));
  EXPECT_EQ(http.health_threads, at(&L::http_health_threads));
  EXPECT_EQ(http.max_queued_health_requests, at(&L::http_max_queued_health_requests));
  EXPECT_EQ(http.keep_alive_max_requests, at(&L::http_keep_alive_max_requests));
  EXPECT_EQ(http.max_concurrent_exports, at(&L::http_max_concurrent_exports));
}

// The send queue takes what the config allows and refuses the next byte.
TEST(ConfiguredLimitsTest, SendQueueHoldsItsConfiguredBytes) {
  SendQueue queue(1000);
  EXPECT_TRUE(queue.push(Bytes(600, 1)));
  EXPECT_TRUE(queue.push(Bytes(400, 2)));  // at the limit
  EXPECT_FALSE(queue.push(Bytes(1, 3)));   // one byte past it
  EXPECT_EQ(queue.bytes(), 1000u);
}

}  // namespace
}  // namespace eichub::daemon
