// The trust the sync engine needs, defined here so that federation/sync knows the questions and
// federation/trust (through the node, node/policy) the answers.
#pragma once

#include <cstdint>
#include <string_view>

#include "federation/common/bytes.h"
#include "federation/feed/update.h"

namespace eichub::sync {

// Who may write what (federation/trust): the engine asks before it stores or pulls anything.
// Called on the reactor thread only.
class TrustPolicy {
 public:
  virtual ~TrustPolicy() = default;
  // Empty when an update with this header may be stored, else the reason it may not: a short
  // stable string, counted per link (trust::reason).
  virtual std::string_view verdict(const feed::HeaderFields& header) const = 0;
  // The last seq of author's feed that may be stored: 0 when none (unknown or dropped author).
  // A byte quota's cut is not in it: it depends on the feed's bytes (byteVerdict).
  virtual uint64_t lastAcceptedSeq(const PublicKey& author) const = 0;
  // Empty when an update of author's feed may be stored given feed_bytes, its feed's bodySize
  // summed from seq 1 through it; else the reason (trust::reason::kOverQuota). Judged where the
  // feed's tail is known, in feed order: every update from the first refused one is refused.
  virtual std::string_view byteVerdict(const PublicKey& author, uint64_t feed_bytes) const = 0;
};

}  // namespace eichub::sync
