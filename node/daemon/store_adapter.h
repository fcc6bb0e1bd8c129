// StoreAdapter: the sync engine's Storage, implemented over the node's CatalogStore (reads on
// the reactor thread) and the Writer thread (batches, fork proofs: the reactor never writes).
// Fork proofs are kept in the store's meta table (node/store/fork_proofs.h) and freeze the feed.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "federation/sync/storage.h"
#include "node/daemon/writer.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

class StoreAdapter : public sync::Storage {
 public:
  // store and writer must outlive the adapter.
  StoreAdapter(const store::CatalogStore& store, Writer& writer);

  Result<std::vector<wire::HeadInfo>> heads() override;
  Result<feed::Head> head(const PublicKey& author) override;
  Result<std::vector<feed::SignedUpdate>> read(const PublicKey& author, uint64_t from_seq,
                                               size_t max_count, size_t max_bytes) override;
  Status checkBody(const feed::VerifiedUpdate& update) override;
  void submit(uint64_t batch_id, std::vector<feed::VerifiedUpdate> batch) override;
  Status recordFork(const wire::ForkProof& proof) override;
  Result<wire::ForkProof> forkProof(const PublicKey& author) override;
  bool isFrozen(const PublicKey& author) override;
  Result<std::vector<std::pair<wire::BodyRef, feed::SignedUpdate>>> missingBodies(
      const HeaderFilter& wanted, const wire::BodyRef& after, size_t max_count) override;

  // Feeds frozen by a fork proof, with the seq the proof is about.
  const std::map<PublicKey, uint64_t>& frozen() const { return frozen_; }
  // Stored entries read() refused to serve because they no longer match what was signed (a
  // value altered on disk, docs/reliability.md case 22): bodies withheld and runs cut short.
  uint64_t corruptRefused() const { return corrupt_refused_; }

 private:
  // Counts and logs (once per entry) a stored entry read() refuses to serve.
  void refuseCorrupt(const PublicKey& author, uint64_t seq, std::string_view what);

  const store::CatalogStore& store_;  // reads only: writes go to the writer
  Writer& writer_;
  std::map<PublicKey, uint64_t> frozen_;
  // Fork proofs (hex, as stored in meta) recorded since the start and handed to the writer: the
  // meta table may not hold them yet. At most one per feed held.
  std::map<PublicKey, std::string> pending_forks_;
  uint64_t corrupt_refused_ = 0;
  std::set<std::pair<PublicKey, uint64_t>> corrupt_logged_;  // bounded: kMaxCorruptLogged
};

}  // namespace eichub::daemon
