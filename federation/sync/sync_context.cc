// SyncContext: links, throttling, and the engine's outputs shared by its parts.
#include "federation/sync/sync_context.h"

#include <algorithm>
#include <limits>

namespace eichub::sync {

SyncContext::SyncContext(SyncOptions options, Storage& storage, const TrustPolicy& trust,
                         SendFn send, ClockFn clock, RejectFn on_reject, EventFn on_event)
    : options_(std::move(options)),
      storage_(storage),
      trust_(trust),
      send_(std::move(send)),
      clock_(std::move(clock)),
      on_reject_(std::move(on_reject)),
      on_event_(std::move(on_event)) {}

bool SyncContext::wantsBody(const feed::HeaderFields& header) const {
  return !options_.wants_body || options_.wants_body(header);
}

void SyncContext::send(LinkId link, const wire::Message& message) {
  auto state = links_.find(link);
  wire::EncodeOptions options;
  options.body_frames = state != links_.end() && state->second.zstd_bodies;
  Bytes bytes = wire::encode(message, options);
  const std::string_view type = wire::messageName(message);
  auto it = sent_.find(type);
  if (it == sent_.end()) it = sent_.emplace(std::string(type), SentTotals{}).first;
  ++it->second.messages;
  it->second.bytes += bytes.size();
  send_(link, std::move(bytes));
}

void SyncContext::reject(LinkId link, const std::string& reason) {
  LinkState& state = links_[link];
  ++state.stats.rejected;
  ++state.stats.rejected_by_reason[reason];
  if (on_reject_) on_reject_(link, reason);
  if (state.stats.rejected % options_.reject_limit == 0) {
    state.throttled_until_ms = clock_() + options_.throttle_ms;
    state.stats.throttled = true;
  }
}

void SyncContext::event(const std::string& fields) {
  if (on_event_) on_event_(fields);
}

Result<wire::Hello> SyncContext::hello() {
  wire::Hello hello;
  hello.protocol_version = wire::protocolVersion();
  hello.network = options_.network;
  hello.node_id = options_.node_id;
  hello.serve_budget_bytes = options_.serve_budget_bytes;
  hello.zstd_bodies = true;
  EICHUB_ASSIGN_OR_RETURN(hello.heads, storage_.heads());
  if (hello.heads.size() > wire::kMaxHelloHeads) hello.heads.resize(wire::kMaxHelloHeads);
  return hello;
}

void SyncContext::sendHello(LinkId link) {
  auto ours = hello();
  if (!ours.ok()) return;
  LinkState& state = links_[link];
  state.hello_pending = true;
  state.hello_sent_ms = clock_();
  send(link, *ours);
}

const wire::HeadInfo* SyncContext::askableHead(const LinkState& link, const PublicKey& author,
                                               int64_t now_ms) const {
  if (!link.stats.up || link.stats.role != Role::kClient || link.throttled_until_ms > now_ms) {
    return nullptr;
  }
  auto it = link.remote_heads.find(author);
  return it == link.remote_heads.end() ? nullptr : &it->second;
}

uint64_t SyncContext::highestAnnounced(const PublicKey& author) const {
  const int64_t now_ms = clock_();
  uint64_t highest = 0;
  for (const auto& [id, link] : links_) {
    if (const wire::HeadInfo* head = askableHead(link, author, now_ms)) {
      highest = std::max(highest, head->seq);
    }
  }
  return highest;
}

std::vector<LinkId> SyncContext::askableLinks(int64_t now_ms) const {
  std::vector<LinkId> out;
  for (const auto& [id, link] : links_) {
    if (link.stats.up && link.stats.role == Role::kClient && link.throttled_until_ms <= now_ms) {
      out.push_back(id);
    }
  }
  return out;
}

bool SyncContext::clientUp() const {
  return std::any_of(links_.begin(), links_.end(), [](const auto& entry) {
    return entry.second.stats.up && entry.second.stats.role == Role::kClient;
  });
}

std::vector<PublicKey> SyncContext::endThrottles(int64_t now_ms) {
  std::vector<PublicKey> authors;
  for (auto& [id, link] : links_) {
    if (link.throttled_until_ms == 0 || link.throttled_until_ms > now_ms) continue;
    link.throttled_until_ms = 0;
    link.stats.throttled = false;
    for (const auto& [author, head] : link.remote_heads) authors.push_back(author);
  }
  return authors;
}

int64_t SyncContext::nextThrottleEndMs() const {
  int64_t next = std::numeric_limits<int64_t>::max();
  for (const auto& [id, link] : links_) {
    if (link.throttled_until_ms != 0) next = std::min(next, link.throttled_until_ms);
  }
  return next;
}

std::optional<feed::SignedUpdate> SyncContext::heldUpdate(const PublicKey& author, uint64_t seq) {
  auto held = storage_.read(author, seq, 1, wire::kMaxBatchBytes);
  if (!held.ok() || held->empty()) return std::nullopt;
  return std::move(held->front());
}

std::optional<Hash32> SyncContext::heldHash(const PublicKey& author, uint64_t seq) {
  auto held = heldUpdate(author, seq);
  if (!held) return std::nullopt;
  return feed::signedHeaderHash(held->header, held->signature);
}

}  // namespace eichub::sync
