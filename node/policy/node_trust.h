// NodeTrust: the sync engine's TrustPolicy for a running node. It derives the trust state from
// the configured keys and the store's trust records, and keeps the store's record state equal
// to what the feeds' valid prefixes give under that state (store::restate): when a
// revocation or removal arrives after the updates it cuts, those updates leave the state, so
// every node reaches the same digest whatever the order things arrived in.
// Not thread-safe. The daemon's reactor judges with its NodeTrust and refreshes a copy on the
// writer thread (daemon::RefreshTrust), since refresh() writes; the copy comes back to it.
#pragma once

#include <map>

#include "federation/sync/trust_policy.h"
#include "federation/trust/trust_state.h"
#include "node/store/catalog_store.h"

namespace eichub::policy {

class NodeTrust : public sync::TrustPolicy {
 public:
  // Rederives the state under config from the store's trust records and restates the feeds
  // whose trust changed (all not fully trusted ones on the first call), that grew since they
  // were last restated while cut, or that froze. frozen maps a feed frozen by a fork proof to
  // the seq of the proof: its state keeps only the updates before it, the prefix every honest
  // node agrees on. Returns whether the state changed (the engine should pull again).
  // Errors: from the store; the previous state stays in force.
  Result<bool> refresh(store::CatalogStore& store, const trust::TrustConfig& config,
                       const std::map<PublicKey, uint64_t>& frozen);

  std::string_view verdict(const feed::HeaderFields& header) const override;
  uint64_t lastAcceptedSeq(const PublicKey& author) const override;
  std::string_view byteVerdict(const PublicKey& author, uint64_t feed_bytes) const override {
    return state_.byteVerdict(author, feed_bytes);
  }

  const trust::TrustState& state() const { return state_; }

 private:
  // Restates author if needed; returns whether it did.
  Result<bool> restateIfNeeded(store::CatalogStore& store, const PublicKey& author,
                               uint64_t head_seq, const trust::TrustState& before);

  bool refreshed_ = false;
  std::map<PublicKey, uint64_t> frozen_;
  trust::TrustState state_;
  // Feeds whose valid prefix ends before their head: the last seq that counts.
  std::map<PublicKey, uint64_t> prefix_end_;
  // The head each cut feed had when last restated.
  std::map<PublicKey, uint64_t> restated_head_;
};

}  // namespace eichub::policy
