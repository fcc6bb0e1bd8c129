// The storage the sync engine needs, defined here so that federation/ knows nothing of LMDB or
// of catalogue records (docs/architecture.md "Layers"). The node implements it over its store.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

// Called on the reactor thread only.
class Storage {
 public:
  virtual ~Storage() = default;
  // Every feed held, as (author, seq, hash).
  virtual Result<std::vector<wire::HeadInfo>> heads() = 0;
  // The head of one feed (seq 0 when unknown).
  virtual Result<feed::Head> head(const PublicKey& author) = 0;
  // Updates with seq >= from_seq, oldest first, at most max_count and about max_bytes.
  virtual Result<std::vector<feed::SignedUpdate>> read(const PublicKey& author, uint64_t from_seq,
                                                       size_t max_count, size_t max_bytes) = 0;
  // Checks what the federation layer cannot: that the body is a valid record agreeing with its
  // header. Errors: InvalidArgument.
  virtual Status checkBody(const feed::VerifiedUpdate& update) = 0;
  // Hands a verified, contiguous batch of one feed to the writer. The engine learns the
  // outcome through SyncEngine::onApplied(batch_id, ...).
  virtual void submit(uint64_t batch_id, std::vector<feed::VerifiedUpdate> batch) = 0;
  // Keeps two conflicting signed headers as a fork proof and freezes the feed.
  // An earlier fork point (a proof at a lower seq) replaces a later one.
  virtual Status recordFork(const wire::ForkProof& proof) = 0;
  // The proof that froze author's feed, to hand to peers that still serve it. NotFound when
  // not frozen or not kept.
  virtual Result<wire::ForkProof> forkProof(const PublicKey& author) {
    (void)author;
    return Status::NotFound("no fork proof kept");
  }
  // True when the feed is frozen by a fork proof: nothing more of it is accepted or served.
  virtual bool isFrozen(const PublicKey& author) = 0;
  // Upserts held without their body that are their record's current version and whose header
  // wanted accepts, in feed order strictly after `after`, at most max_count: the bodies
  // selective sync still has to fetch. Each comes with its header and signature, body empty.
  using HeaderFilter = std::function<bool(const feed::HeaderFields&)>;
  virtual Result<std::vector<std::pair<wire::BodyRef, feed::SignedUpdate>>> missingBodies(
      const HeaderFilter& wanted, const wire::BodyRef& after, size_t max_count) = 0;
};

}  // namespace eichub::sync
