// The typed commands the daemon's writer thread takes (every LMDB write the daemon makes is
// one), and the outcomes it sends back to the reactor.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "federation/sync/trust_policy.h"
#include "federation/trust/trust_state.h"
#include "node/catalog/change.h"
#include "node/policy/node_trust.h"
#include "node/publish/publisher.h"

namespace eichub::daemon {

// What an applied batch can change in the node's trust, so that the reactor rederives trust
// only after the batches that can change it (Reactor::onWriterReadable): trust records (headers
// or bodies), or updates past the last seq the trust accepts of their feed (a cut learnt while
// the batch was on its way to the writer, which its feed must be restated for).
struct TrustReach {
  bool trust_records = false;
  std::map<PublicKey, uint64_t> last_seqs;  // per feed in the batch: its last seq
};
TrustReach trustReachOf(const std::vector<feed::VerifiedUpdate>& batch);
// Whether an applied batch of this reach can change what trust says: it holds trust records, or
// updates past the last seq trust accepts of their feed (judged before a cut was learnt), whose
// feed a refresh restates. Other batches leave the trust as it is.
bool mayChangeTrust(const TrustReach& reach, const sync::TrustPolicy& trust);

// A verified batch from a peer (or a body fetch), applied in one write transaction.
struct ApplyBatch {
  uint64_t batch_id = 0;
  std::vector<feed::VerifiedUpdate> batch;
  TrustReach reach;  // of batch (StoreAdapter::submit); handed back in BatchApplied
};

// A fork proof kept in the store's meta table (StoreAdapter::recordFork).
struct StoreForkProof {
  std::string meta_key;
  std::string value;
};

// NodeTrust::refresh on a copy of the reactor's trust: rederives trust from the store and
// restates the feeds it cuts (write transactions). The copy comes back in TrustRefreshed.
struct RefreshTrust {
  policy::NodeTrust trust;
  trust::TrustConfig config;
  std::map<PublicKey, uint64_t> frozen;
};

// What the writer sends the reactor.
struct BatchApplied {
  uint64_t batch_id = 0;
  Status status;
  uint64_t applied = 0;
  double seconds = 0;         // time the write transaction took, for the commit latency metric
  size_t committed_with = 1;  // batches that transaction applied, this one included
  TrustReach reach;           // the command's
};
struct TrustRefreshed {
  policy::NodeTrust trust;  // the refreshed copy; the reactor's own when refresh failed
  Result<bool> changed = false;
};
// A publish over HTTP wrote to the node's own feed: announce the new head.
struct LocalPublished {};

using WriteCommand = std::variant<ApplyBatch, StoreForkProof, RefreshTrust>;
using WriteOutcome = std::variant<BatchApplied, TrustRefreshed, LocalPublished>;

}  // namespace eichub::daemon
