// StoreAdapter: the sync engine's Storage, implemented over the node's CatalogStore (reads on
// the reactor thread) and the Writer thread (batches). Fork proofs are kept in the store's meta
// table under "fork:<author hex>" and freeze the feed.
#pragma once

#include <set>

#include "federation/sync/storage.h"
#include "node/daemon/writer.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

class StoreAdapter : public sync::Storage {
 public:
  // store and writer must outlive the adapter.
  StoreAdapter(store::CatalogStore& store, Writer& writer);

  Result<std::vector<wire::HeadInfo>> heads() override;
  Result<feed::Head> head(const PublicKey& author) override;
  Result<std::vector<feed::SignedUpdate>> read(const PublicKey& author, uint64_t from_seq,
                                               size_t max_count, size_t max_bytes) override;
  Status checkBody(const feed::VerifiedUpdate& update) override;
  void submit(uint64_t batch_id, std::vector<feed::VerifiedUpdate> batch) override;
  Status recordFork(const wire::ForkProof& proof) override;
  bool isFrozen(const PublicKey& author) override;
  Result<std::vector<std::pair<wire::BodyRef, feed::SignedUpdate>>> missingBodies(
      const HeaderFilter& wanted, const wire::BodyRef& after, size_t max_count) override;

  // Feeds frozen by a fork proof.
  const std::set<PublicKey>& frozen() const { return frozen_; }

 private:
  store::CatalogStore& store_;
  Writer& writer_;
  std::set<PublicKey> frozen_;
};

// The meta key under which a fork proof of author is kept.
std::string forkMetaKey(const PublicKey& author);

}  // namespace eichub::daemon
