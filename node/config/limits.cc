// The table of tunable limits: key, default, range, unit and reason of each, in one place.
#include "node/config/limits.h"

#include <array>

#include <fmt/format.h>

namespace eichub::config {

namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;
constexpr uint64_t kHourMs = 3'600'000;

constexpr std::array<std::string_view, 3> kTables = {"sync", "transport", "http"};

// Defaults are Limits{}'s (limits_test checks each row against it); they are the values the
// components had as constants, and the daemon's (configured_limits_test checks that too).
constexpr LimitSpec kLimitSpecs[] = {
    {"max_updates_per_author", &Limits::max_updates_per_author, 0, 0, uint64_t{1} << 40, "updates",
     "A last guard of this node alone: updates of one member's or vendor's feed it keeps (later "
     "ones are refused as over_local_quota). 0 is off. The signed quotas every node applies alike "
     "are set when admitting (--max-records). Risk: this node's state and digest differ from its "
     "peers' for a feed past it."},
    {"max_mb_per_author", &Limits::max_mb_per_author, 0, 0, uint64_t{1} << 20, "MiB",
     "A last guard of this node alone: record bytes (bodySize summed from seq 1) of any other "
     "author's feed it keeps; the update that passes it and every later one are not stored "
     "(counted per author as local_budget, never against the peer that sent them). This node's "
     "own feed is exempt. 0 is off: a default low enough to matter would silently cut an honest "
     "author's large feed (ESCO is about 35 MiB of records per language). The signed byte quotas "
     "every node applies alike are set "
     "when admitting (--max-mb). Risk: this node's state and digest differ from its peers' for "
     "a feed past it."},

    {"sync.want_credit", &Limits::sync_want_credit, 4096, 1, 65'536, "updates",
     "Updates one want asks a peer for; a feed's window is twice this. Peers refuse more than "
     "65536. Lower: more round trips per feed."},
    {"sync.reject_limit", &Limits::sync_reject_limit, 64, 1, 100'000, "rejections",
     "Messages of a peer refused on one link before the link is throttled."},
    {"sync.throttle_ms", &Limits::sync_throttle_ms, 30'000, 1000, kHourMs, "ms",
     "How long a throttled link's messages are ignored."},
    {"sync.want_timeout_ms", &Limits::sync_want_timeout_ms, 5000, 500, 10 * 60'000, "ms",
     "A want with no answer this long is asked again; as a server, a re-ask of what was sent is "
     "served only after half of this."},
    {"sync.serve_budget_bytes", &Limits::sync_serve_budget_bytes, 16 * kMiB, 64 * kKiB, kGiB,
     "bytes",
     "As a server, what one link may hold sent but unacknowledged, over every feed (announced in "
     "the hello). A peer that asks and never reads costs about this much. Lower: slower catch-up "
     "of peers far behind."},
    {"sync.send_queue_bytes", &Limits::sync_send_queue_bytes, 32 * kMiB, kMiB, 4 * kGiB, "bytes",
     "Messages one server link queues that the socket has not taken yet; past it they are "
     "dropped (dropped_sends). At least sync.serve_budget_bytes + transport.max_message_bytes."},
    {"sync.store_retry_ms", &Limits::sync_store_retry_ms, 1000, 10, 10 * 60'000, "ms",
     "The least wait before asking again after the store refused a batch (disk or map full)."},
    {"sync.stale_after_ms", &Limits::sync_stale_after_ms, 15'000, 1000, 24 * kHourMs, "ms",
     "A feed behind what a peer announced that has not advanced this long is reported stale "
     "(status); a report, never a verdict."},

    {"transport.max_message_bytes", &Limits::transport_max_message_bytes, 8 * kMiB, kMiB, 8 * kMiB,
     "bytes",
     "Largest message a peer may send; a larger one disconnects it (ZMQ_MAXMSGSIZE). The decoder "
     "refuses more than 8 MiB, so it can only be lowered. Risk: below 8 MiB a full updates batch "
     "(4 MiB) or a large hello from an honest peer cuts the link."},
    {"transport.send_hwm", &Limits::transport_send_hwm, 1000, 1, 100'000, "messages",
     "Messages queued to a peer on our outgoing link before sends are dropped."},
    {"transport.receive_hwm", &Limits::transport_receive_hwm, 1000, 1, 100'000, "messages",
     "Messages queued from a peer before it must wait. Buffered bytes per peer are up to "
     "(send_hwm + receive_hwm) x max_message_bytes."},
    {"transport.router_send_hwm", &Limits::transport_router_send_hwm, 4, 1, 1000, "messages",
     "Messages the listening socket queues per peer; the rest waits in the send queue, counted "
     "in bytes. Higher: a peer that does not read costs up to this x max_message_bytes more."},
    {"transport.linger_ms", &Limits::transport_linger_ms, 100, 0, 10'000, "ms",
     "How long unsent messages are kept when a socket closes; bounded so shutdown never hangs."},
    {"transport.heartbeat_ivl_ms", &Limits::transport_heartbeat_ivl_ms, 10'000, 100, 60'000, "ms",
     "Interval of the ZeroMQ pings each outgoing peer link sends (the listening side sends none: "
     "pings are most of an idle daemon's wake-ups, docs/network.md). Lower: a silent link is "
     "noticed sooner, for more wake-ups of every idle daemon."},
    {"transport.heartbeat_timeout_ms", &Limits::transport_heartbeat_timeout_ms, 30'000, 500,
     10 * 60'000, "ms",
     "A link silent this long is closed and reconnected. More than transport.heartbeat_ivl_ms. A "
     "peer that dies is seen at once (its connections reset); this is for a link gone silent."},
    {"transport.handshake_ivl_ms", &Limits::transport_handshake_ivl_ms, 5000, 500, 120'000, "ms",
     "A CURVE handshake not done by then is dropped."},
    {"transport.reconnect_ivl_ms", &Limits::transport_reconnect_ivl_ms, 100, 10, 60'000, "ms",
     "First delay before reconnecting to a peer."},
    {"transport.reconnect_ivl_max_ms", &Limits::transport_reconnect_ivl_max_ms, 5000, 10,
     10 * 60'000, "ms", "Cap of the reconnect backoff. At least transport.reconnect_ivl_ms."},

    {"http.max_head_bytes", &Limits::http_max_head_bytes, 32 * kKiB, kKiB, kMiB, "bytes",
     "A larger request head (request line and header fields) is refused with 431."},
    {"http.max_header_count", &Limits::http_max_header_count, 100, 8, 10'000, "fields",
     "More header fields are refused with 431."},
    {"http.max_request_line_bytes", &Limits::http_max_request_line_bytes, 8192, 256, 8192, "bytes",
     "A longer request line is refused with 414; 8192 is the HTTP library's own cap."},
    {"http.max_body_bytes", &Limits::http_max_body_bytes, 16 * kMiB, kKiB, kGiB, "bytes",
     "A larger request body is refused with 413 (a publish of about 40,000 records fits the "
     "default; larger goes through the CLI). Form bodies are capped at 8192 bytes regardless."},
    {"http.head_deadline_ms", &Limits::http_head_deadline_ms, 5000, 100, 5 * 60'000, "ms",
     "A connection must deliver a complete request head this soon after it opened or its last "
     "answer; idle and slowloris connections are closed then."},
    {"http.request_deadline_ms", &Limits::http_request_deadline_ms, 30'000, 1000, kHourMs, "ms",
     "The whole request, head and body, must arrive this soon. At least http.head_deadline_ms."},
    {"http.write_timeout_ms", &Limits::http_write_timeout_ms, 10'000, 100, 10 * 60'000, "ms",
     "One write of an answer waits this long for a client that does not read."},
    {"http.linger_ms", &Limits::http_linger_ms, 2000, 0, 60'000, "ms",
     "After a refusal, unread input is discarded this long before the close, so the client "
     "reads the answer."},
    {"http.max_connections", &Limits::http_max_connections, 256, 4, 65'536, "connections",
     "Open connections at most; at the cap the one waiting longest for its head is closed. Each "
     "is a file descriptor."},
    {"http.threads", &Limits::http_threads, 4, 2, 64, "threads",
     "Threads that run API and dashboard requests."},
    {"http.max_queued_requests", &Limits::http_max_queued_requests, 16, 1, 10'000, "requests",
     "Complete requests waiting for an API thread; more are answered 503 with Retry-After."},
    {"http.health_threads", &Limits::http_health_threads, 1, 1, 8, "threads",
     "Threads of their own for /healthz, /readyz and /metrics, so API load cannot make the node "
     "look dead."},
    {"http.max_queued_health_requests", &Limits::http_max_queued_health_requests, 16, 1, 10'000,
     "requests", "Health and metrics requests waiting for their thread; more get 503."},
    {"http.keep_alive_max_requests", &Limits::http_keep_alive_max_requests, 100, 1, 100'000,
     "requests", "Requests served on one connection before it is closed."},
    {"http.max_concurrent_exports", &Limits::http_max_concurrent_exports, 2, 1, 63, "exports",
     "ELM exports streaming at once (each holds an API thread); more get 503. Less than "
     "http.threads."},
};

const LimitSpec& specOf(uint64_t Limits::*field) {
  for (const LimitSpec& spec : kLimitSpecs) {
    if (spec.field == field) return spec;
  }
  return kLimitSpecs[0];  // unreachable: every field has a row (limits_test)
}

// Refuses limits where the one named first must be at least (or above) the other.
Status atLeast(const Limits& limits, uint64_t Limits::*larger, uint64_t needed,
               uint64_t Limits::*smaller, std::string_view what) {
  if (limits.*larger >= needed) return Status::OK();
  return Status::InvalidArgument(fmt::format("{} = {} must be at least {} ({}; {} = {})",
                                             fullLimitKey(specOf(larger)), limits.*larger, needed,
                                             what, fullLimitKey(specOf(smaller)), limits.*smaller));
}

// Appends text as "# " comment lines of at most 100 columns.
void appendComment(std::string& out, std::string_view text) {
  constexpr size_t kWidth = 98;
  while (!text.empty()) {
    size_t cut = text.size();
    if (cut > kWidth) {
      cut = text.rfind(' ', kWidth);
      if (cut == std::string_view::npos || cut == 0) cut = kWidth;
    }
    out += "# ";
    out += text.substr(0, cut);
    out += '\n';
    text.remove_prefix(std::min(text.size(), cut + 1));
  }
}

}  // namespace

std::span<const LimitSpec> limitSpecs() { return kLimitSpecs; }

std::span<const std::string_view> limitTables() { return kTables; }

std::string fullLimitKey(const LimitSpec& spec) { return fmt::format("limits.{}", spec.key); }

Status setLimit(Limits& limits, const LimitSpec& spec, int64_t value) {
  if (value < 0 || static_cast<uint64_t>(value) < spec.min ||
      static_cast<uint64_t>(value) > spec.max) {
    return Status::InvalidArgument(fmt::format("{} = {} is out of range: {} to {} {}",
                                               fullLimitKey(spec), value, spec.min, spec.max,
                                               spec.unit));
  }
  limits.*spec.field = static_cast<uint64_t>(value);
  return Status::OK();
}

Status checkLimits(const Limits& l) {
  EICHUB_RETURN_IF_ERROR(atLeast(
      l, &Limits::sync_send_queue_bytes, l.sync_serve_budget_bytes + l.transport_max_message_bytes,
      &Limits::sync_serve_budget_bytes, "a budget and one message past it"));
  EICHUB_RETURN_IF_ERROR(atLeast(l, &Limits::transport_heartbeat_timeout_ms,
                                 l.transport_heartbeat_ivl_ms + 1,
                                 &Limits::transport_heartbeat_ivl_ms, "longer than its interval"));
  EICHUB_RETURN_IF_ERROR(atLeast(l, &Limits::transport_reconnect_ivl_max_ms,
                                 l.transport_reconnect_ivl_ms, &Limits::transport_reconnect_ivl_ms,
                                 "the backoff's cap is not below its start"));
  EICHUB_RETURN_IF_ERROR(atLeast(l, &Limits::http_request_deadline_ms, l.http_head_deadline_ms,
                                 &Limits::http_head_deadline_ms, "a request includes its head"));
  EICHUB_RETURN_IF_ERROR(atLeast(l, &Limits::http_threads, l.http_max_concurrent_exports + 1,
                                 &Limits::http_max_concurrent_exports,
                                 "exports must leave an API thread free"));
  return Status::OK();
}

std::string renderLimits(const Limits& limits) {
  std::string out;
  std::string_view table;
  bool first = true;
  for (const LimitSpec& spec : kLimitSpecs) {
    const size_t dot = spec.key.find('.');
    const std::string_view spec_table =
        dot == std::string_view::npos ? std::string_view() : spec.key.substr(0, dot);
    if (first || spec_table != table) {
      out += first ? "" : "\n";
      out += spec_table.empty() ? "[limits]\n" : fmt::format("[limits.{}]\n", spec_table);
      table = spec_table;
      first = false;
    }
    appendComment(out, fmt::format("{} Unit: {}. Default {}, range {} to {}.", spec.doc, spec.unit,
                                   spec.default_value, spec.min, spec.max));
    const uint64_t value = limits.*spec.field;
    const std::string_view name =
        dot == std::string_view::npos ? spec.key : spec.key.substr(dot + 1);
    out += fmt::format("{}{} = {}\n", value == spec.default_value ? "# " : "", name, value);
  }
  return out;
}

}  // namespace eichub::config
