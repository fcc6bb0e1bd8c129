// What a batch can change in the node's trust.
#include "node/daemon/write_command.h"

#include <algorithm>

namespace eichub::daemon {

TrustReach trustReachOf(const std::vector<feed::VerifiedUpdate>& batch) {
  TrustReach reach;
  for (const feed::VerifiedUpdate& update : batch) {
    reach.trust_records = reach.trust_records || update.fields.kind == feed::kTrustKind;
    uint64_t& last = reach.last_seqs[update.fields.author];
    last = std::max(last, update.fields.seq);
  }
  return reach;
}

bool mayChangeTrust(const TrustReach& reach, const sync::TrustPolicy& trust) {
  if (reach.trust_records) return true;
  for (const auto& [author, last_seq] : reach.last_seqs) {
    if (last_seq > trust.lastAcceptedSeq(author)) return true;
  }
  return false;
}

}  // namespace eichub::daemon
