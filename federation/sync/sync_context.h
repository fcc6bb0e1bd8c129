// SyncContext: what the sync engine's parts share: the options, storage and trust, the links
// with their counters and announced heads, and the engine's outputs (send, reject, events).
// Owns no protocol decision of its own beyond throttling a link that keeps misbehaving.
// Not thread-safe: the engine's thread owns it, and every part holds it by reference.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "federation/common/result.h"
#include "federation/sync/storage.h"
#include "federation/sync/sync_options.h"
#include "federation/sync/trust_policy.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

struct LinkStats {
  std::string peer_key;  // the peer's CURVE key (Z85), from the transport
  Role role = Role::kClient;
  bool up = false;
  int64_t last_seen_ms = 0;
  uint64_t updates_received = 0;  // verified and handed to the writer
  uint64_t updates_applied = 0;
  // Updates received again that we hold: a run's part up to our head when its copy of our head
  // is ours, by signed hash or by header bytes (a second valid signature over a held header is a
  // duplicate, never a fork; case 5).
  uint64_t duplicates = 0;
  uint64_t updates_pushed = 0;  // of updates_received: pushed by the peer, not asked for
  // Pushes refused without blame because they did not link to what we held (a gap: pulled).
  uint64_t pushes_unlinked = 0;
  uint64_t updates_sent = 0;
  uint64_t bodies_received = 0;  // fetched bodies that matched their headers
  uint64_t bodies_sent = 0;
  uint64_t rejected = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  bool throttled = false;
};

// One link as the parts see it. A link's entry outlives its going down (its counters stay).
struct LinkState {
  LinkStats stats;
  bool subscribed = false;      // server role: the client said hello
  bool hello_received = false;  // client role: the server said hello
  // Client role: the byte budget the server's hello stated (0: an older server, which does not
  // take restated wants); the puller restates its wants as it reads when it is set.
  uint64_t serve_budget_bytes = 0;
  // Server role: the client's hello said it reads bodies sent as frames (wire::EncodeOptions).
  bool zstd_bodies = false;
  // Client role: what the server holds, for authors trust accepted when announced (at most
  // kMaxRemoteHeadsPerLink).
  std::map<PublicKey, wire::HeadInfo> remote_heads;
  // Client role: heads of authors trust does not accept (yet), at most
  // kMaxUnacceptedHeadsPerLink; trustChanged moves those it now accepts to remote_heads.
  std::map<PublicKey, wire::HeadInfo> unaccepted_heads;
  bool heads_dropped = false;  // some announced heads were not kept (a cap): ask a fresh hello
  bool hello_pending = false;  // client role: our hello is not answered yet
  int64_t hello_sent_ms = 0;
  int64_t throttled_until_ms = 0;
};

// What this node sent of one message type: the wire cost of sync (issue 19).
struct SentTotals {
  uint64_t messages = 0;
  uint64_t bytes = 0;
};

class SyncContext {
 public:
  using SendFn = std::function<void(LinkId, Bytes)>;
  using ClockFn = std::function<int64_t()>;
  using RejectFn = std::function<void(LinkId, const std::string& reason)>;
  using EventFn = std::function<void(const std::string& fields)>;
  // Bytes of link's messages waiting in the transport's send queue (not yet taken by it).
  using QueuedFn = std::function<uint64_t(LinkId)>;

  // storage and trust must outlive the context. on_reject and on_event may be empty.
  SyncContext(SyncOptions options, Storage& storage, const TrustPolicy& trust, SendFn send,
              ClockFn clock, RejectFn on_reject, EventFn on_event);

  const SyncOptions& options() const { return options_; }
  void setBodyFilter(BodyFilter wants_body) { options_.wants_body = std::move(wants_body); }
  // True when this upsert's body is kept (the body filter, or every body when it is empty).
  bool wantsBody(const feed::HeaderFields& header) const;
  Storage& storage() { return storage_; }
  const TrustPolicy& trust() const { return trust_; }
  int64_t now() const { return clock_(); }

  // Sets where queuedBytes asks (the daemon's send queues); unset: nothing is queued.
  void setQueuedBytes(QueuedFn queued) { queued_ = std::move(queued); }
  // Bytes of link's messages the transport has not taken yet (0 without a QueuedFn).
  uint64_t queuedBytes(LinkId link) const { return queued_ ? queued_(link) : 0; }
  // Encodes message, counts it (sentByType) and hands it to the send callback for link.
  void send(LinkId link, const wire::Message& message);
  // Messages and encoded bytes sent, by wire::messageName, over every link since start.
  const std::map<std::string, SentTotals, std::less<>>& sentByType() const { return sent_; }
  // Counts a rejection of what link sent (per reason), tells on_reject, and throttles the link
  // for throttle_ms at every reject_limit-th rejection.
  void reject(LinkId link, const std::string& reason);
  // Hands a key=value line to on_event, if set.
  void event(const std::string& fields);
  // Ids for batches handed to Storage::submit, unique over every part.
  uint64_t nextBatchId() { return next_batch_id_++; }
  // Sends our hello on client link and marks it pending: a client link takes a hello only in
  // answer to ours. Errors: the store's (nothing is sent).
  void sendHello(LinkId link);
  // Our hello: protocol version, network, node id and (at most wire::kMaxHelloHeads) heads.
  // Errors: the store's.
  Result<wire::Hello> hello();

  // The link's state, created (down, no counters) when unknown.
  LinkState& link(LinkId link) { return links_[link]; }
  std::map<LinkId, LinkState>& links() { return links_; }
  const std::map<LinkId, LinkState>& links() const { return links_; }
  // What link announced for author, if it may be asked now (an up client link, not throttled).
  const wire::HeadInfo* askableHead(const LinkState& link, const PublicKey& author,
                                    int64_t now_ms) const;
  // The highest seq of author's feed that a link that may be asked now announced.
  uint64_t highestAnnounced(const PublicKey& author) const;
  // Up client links not throttled at now_ms, in link order: where body requests may go.
  std::vector<LinkId> askableLinks(int64_t now_ms) const;
  // True when some client link is up.
  bool clientUp() const;
  // Ends the throttles that expired by now_ms; returns the feeds those links announced, in
  // link then author order (nothing else would ask them again).
  std::vector<PublicKey> endThrottles(int64_t now_ms);
  // When the soonest throttle ends; INT64_MAX when no link is throttled.
  int64_t nextThrottleEndMs() const;

  // The update held at seq (body included when held), or nothing.
  std::optional<feed::SignedUpdate> heldUpdate(const PublicKey& author, uint64_t seq);
  // signedHeaderHash of the update held at seq, or nothing.
  std::optional<Hash32> heldHash(const PublicKey& author, uint64_t seq);

 private:
  SyncOptions options_;
  Storage& storage_;
  const TrustPolicy& trust_;
  SendFn send_;
  ClockFn clock_;
  RejectFn on_reject_;
  EventFn on_event_;
  QueuedFn queued_;
  std::map<LinkId, LinkState> links_;
  std::map<std::string, SentTotals, std::less<>> sent_;
  uint64_t next_batch_id_ = 1;
};

}  // namespace eichub::sync
