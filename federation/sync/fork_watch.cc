#include "federation/sync/fork_watch.h"

namespace eichub::sync {

bool ForkWatch::startProbe(LinkId link, const PublicKey& author, uint64_t seq, int64_t now_ms) {
  for (auto it = probes_.begin(); it != probes_.end();) {
    it = now_ms - it->second >= probe_ms_ ? probes_.erase(it) : std::next(it);
  }
  if (probes_.size() >= kMaxProbes) return false;
  if (!probes_.emplace(Key{link, author, seq}, now_ms).second) return false;
  ++probes_sent_;
  return true;
}

bool ForkWatch::takeProbe(LinkId link, const PublicKey& author, uint64_t seq) {
  return probes_.erase(Key{link, author, seq}) != 0;
}

bool ForkWatch::firstProofFor(LinkId link, const PublicKey& author, uint64_t proof_seq) {
  if (proofs_sent_.size() >= kMaxProbes) proofs_sent_.clear();
  return proofs_sent_.emplace(link, author, proof_seq).second;
}

void ForkWatch::linkDown(LinkId link) {
  std::erase_if(probes_, [link](const auto& entry) { return std::get<0>(entry.first) == link; });
  std::erase_if(proofs_sent_, [link](const Key& key) { return std::get<0>(key) == link; });
}

}  // namespace eichub::sync
