// Limits: every bound an operator may tune in config.toml's [limits] tables, and the one table
// (kLimitSpecs in limits.cc) that gives each its key, default, allowed range, unit and reason.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "federation/common/result.h"

namespace eichub::config {

// The values in force. Defaults are the table's; Limits{} holds them. Every field is a
// non-negative integer; the daemon converts them at its construction points
// (node/daemon/configured_limits.h). A restart applies a change (reload reports it).
struct Limits {
  // [limits]
  uint64_t max_updates_per_author = 0;
  uint64_t max_mb_per_author = 0;
  // [limits.sync] the sync engine (sync::SyncOptions) and the daemon's send queue
  uint64_t sync_want_credit = 4096;
  uint64_t sync_reject_limit = 64;
  uint64_t sync_throttle_ms = 30'000;
  uint64_t sync_want_timeout_ms = 5'000;
  uint64_t sync_serve_budget_bytes = 16 << 20;
  uint64_t sync_send_queue_bytes = 32 << 20;
  uint64_t sync_store_retry_ms = 1'000;
  uint64_t sync_stale_after_ms = 15'000;
  // [limits.transport] every peer-facing ZeroMQ socket (transport::SocketLimits)
  uint64_t transport_max_message_bytes = 8 << 20;
  uint64_t transport_send_hwm = 1000;
  uint64_t transport_receive_hwm = 1000;
  uint64_t transport_router_send_hwm = 4;
  uint64_t transport_linger_ms = 100;
  uint64_t transport_heartbeat_ivl_ms = 10000;
  uint64_t transport_heartbeat_timeout_ms = 30000;
  uint64_t transport_handshake_ivl_ms = 5000;
  uint64_t transport_reconnect_ivl_ms = 100;
  uint64_t transport_reconnect_ivl_max_ms = 5000;
  // [limits.http] the HTTP front door (http::HttpLimits)
  uint64_t http_max_head_bytes = 32 << 10;
  uint64_t http_max_header_count = 100;
  uint64_t http_max_request_line_bytes = 8192;
  uint64_t http_max_body_bytes = 16 << 20;
  uint64_t http_head_deadline_ms = 5000;
  uint64_t http_request_deadline_ms = 30'000;
  uint64_t http_write_timeout_ms = 10'000;
  uint64_t http_linger_ms = 2000;
  uint64_t http_max_connections = 256;
  uint64_t http_threads = 4;
  uint64_t http_max_queued_requests = 16;
  uint64_t http_health_threads = 1;
  uint64_t http_max_queued_health_requests = 16;
  uint64_t http_keep_alive_max_requests = 100;
  uint64_t http_max_concurrent_exports = 2;

  bool operator==(const Limits&) const = default;
};

// One row of the table: the key under [limits] ("sync.want_credit", or "max_updates_per_author"
// directly in [limits]), the field it sets, its default (equal to Limits{}'s), the inclusive
// range allowed, the unit and why it exists or what changing it risks.
struct LimitSpec {
  std::string_view key;
  uint64_t Limits::*field;
  uint64_t default_value;
  uint64_t min;
  uint64_t max;
  std::string_view unit;  // "bytes", "ms", "updates", "messages", ...
  std::string_view doc;
};

// The table, in the order config.toml, --check-config and docs/limits.md list them. Static
// storage; valid for the process.
std::span<const LimitSpec> limitSpecs();
// The sub-tables of [limits], in order: "sync", "transport", "http".
std::span<const std::string_view> limitTables();
// "limits.<key>": the name errors, reload and --check-config use.
std::string fullLimitKey(const LimitSpec& spec);

// Sets one limit from config text: value must lie in spec's range. Errors: InvalidArgument
// naming the key, the value and the range.
Status setLimit(Limits& limits, const LimitSpec& spec, int64_t value);
// Checks the relations between limits (a send queue holds at least a budget and a message, a
// heartbeat timeout is longer than its interval, ...). Errors: InvalidArgument naming both keys.
Status checkLimits(const Limits& limits);

// The [limits] tables as config.toml text: each key with its comment; a key at its default is
// commented out ("# key = default"), any other is set. Parses back to limits.
std::string renderLimits(const Limits& limits);

}  // namespace eichub::config
