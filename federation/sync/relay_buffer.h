// RelayBuffer: verified runs handed to the writer and not yet committed, kept so that this node
// serves and pushes them at once (a hop costs a verification and a send, not an fsync;
// docs/architecture.md "From a peer to the commit"). Safe because every receiver verifies a run
// itself (links, last signature, body hashes) and never trusts the relay: a relay that crashes
// before its commit only fetches the run again. Nothing of this node's own state reads it: heads
// for hello and status, trust, fork checks and digests see the store, which holds a run only once
// it is committed. A run whose commit fails is dropped with every later run of its feed and never
// served or announced from here again. Not thread-safe: the engine's thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "federation/feed/update.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

// The most update bytes (headers, signatures, bodies and the body frames kept beside them) held
// uncommitted: a run past it is served after its commit, as before. Two full messages: enough
// for every live run, small beside the writer's own queue.
inline constexpr size_t kMaxRelayBufferBytes = 2 * wire::kMaxBatchBytes;

class RelayBuffer {
 public:
  explicit RelayBuffer(size_t max_bytes = kMaxRelayBufferBytes) : max_bytes_(max_bytes) {}

  // Keeps a copy of batch (one feed, contiguous, its last signature verified), submitted as
  // batch_id. Returns false, keeping nothing, when it would pass the byte bound, does not
  // follow the runs held of its feed, or an earlier run of its feed was not kept and is not
  // committed yet (every batch submitted must be reported by committed() or failed()).
  bool hold(uint64_t batch_id, const std::vector<feed::VerifiedUpdate>& batch);
  // The writer committed batch_id: the store serves it now.
  void committed(uint64_t batch_id);
  // The writer failed batch_id: it and every later run of its feed (which chain from it) are
  // dropped. Returns how many runs were dropped.
  size_t failed(uint64_t batch_id);
  // The highest uncommitted head of author, if any.
  std::optional<wire::HeadInfo> head(const PublicKey& author) const;
  // The authors with a run held: at most the runs held.
  std::vector<PublicKey> authors() const;
  // Updates of author from from_seq on, at most max_count and about max_bytes (at least one),
  // oldest first: empty when from_seq is not held here.
  std::vector<feed::SignedUpdate> read(const PublicKey& author, uint64_t from_seq, size_t max_count,
                                       size_t max_bytes) const;
  // True when the update of author at seq with signed-header hash `hash` ends a held run: its
  // signature was verified on receipt.
  bool endsRun(const PublicKey& author, uint64_t seq, const Hash32& hash) const;
  size_t bytes() const { return bytes_; }
  size_t runs() const { return by_batch_.size(); }

 private:
  struct Run {
    uint64_t batch_id = 0;
    uint64_t first_seq = 0;
    std::vector<feed::SignedUpdate> updates;
    Hash32 last_hash{};
    size_t bytes = 0;
  };
  // Removes the run batch_id and, when with_later, every later run of its feed.
  size_t drop(uint64_t batch_id, bool with_later);

  size_t max_bytes_;
  size_t bytes_ = 0;
  std::map<PublicKey, std::deque<Run>> feeds_;  // each feed's runs in seq order
  std::map<uint64_t, PublicKey> by_batch_;
  // Batches submitted but not kept, until the writer reports them: at most the batches in
  // flight, which the want credit bounds.
  std::map<uint64_t, PublicKey> skipped_;
};

}  // namespace eichub::sync
