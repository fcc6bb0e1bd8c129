// ForkWatch (docs/reliability.md case 12b/12c, split view): the probes a node sends to learn a
// peer's header at a seq where the peer's announced head, or its next update, disagrees with ours,
// and which fork proofs each link was already sent. A probe is a want of one update; its answer
// is compared with our header at that seq, and a signed header that differs is half of a fork
// proof. Bounded: at most kMaxProbes outstanding, each forgotten after probe_ms.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <tuple>

#include "federation/common/bytes.h"

namespace eichub::sync {

using LinkId = uint64_t;

class ForkWatch {
 public:
  static constexpr size_t kMaxProbes = 4096;
  explicit ForkWatch(int64_t probe_ms) : probe_ms_(probe_ms) {}

  // True when a probe of (link, author, seq) should be sent now (none outstanding for it).
  bool startProbe(LinkId link, const PublicKey& author, uint64_t seq, int64_t now_ms);
  // True (and forgets it) when an answer of (author, seq) on link was probed for.
  bool takeProbe(LinkId link, const PublicKey& author, uint64_t seq);
  // True once per (link, author, proof seq): send our proof for author to that link.
  bool firstProofFor(LinkId link, const PublicKey& author, uint64_t proof_seq);
  void linkDown(LinkId link);
  uint64_t probesSent() const { return probes_sent_; }

 private:
  using Key = std::tuple<LinkId, PublicKey, uint64_t>;
  int64_t probe_ms_;
  std::map<Key, int64_t> probes_;  // sent at
  std::set<Key> proofs_sent_;
  uint64_t probes_sent_ = 0;
};

}  // namespace eichub::sync
