// CreditLedger (docs/reliability.md case 28): bounds the credit a server serves on one link that
// the client has not yet shown it consumed. A want names how far the client has asked before: an
// honest client asks from `from` only while less than want_credit is outstanding, so it holds
// every update below from - want_credit + 1. What the server sent past that is unanswered; an
// honest client never has more than 2 x want_credit of it per feed. A client that asks again
// for what it was sent (a re-ask) is believed once the re-ask comes want_timeout / 2 after the
// last answer (an honest client re-asks after a timeout); sooner re-asks are not served.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "federation/common/bytes.h"

namespace eichub::sync {

using LinkId = uint64_t;

class CreditLedger {
 public:
  CreditLedger(uint64_t want_credit, int64_t reask_gap_ms)
      : want_credit_(want_credit), cap_(2 * want_credit), reask_gap_ms_(reask_gap_ms) {}

  enum class Verdict { kServe, kOverCap, kReaskTooSoon };
  // Whether a want of (from, credit) may be served now. kOverCap: more than the cap in one
  // want, or past the window an honest client keeps (a protocol violation); kReaskTooSoon: a
  // re-ask of what was just sent (dropped unanswered, the client's timeout asks again).
  Verdict admit(LinkId link, const PublicKey& author, uint64_t from, uint64_t credit,
                int64_t now_ms);
  // The server sent count updates from `from` on.
  void served(LinkId link, const PublicKey& author, uint64_t from, uint64_t count, int64_t now_ms);
  void linkDown(LinkId link);
  uint64_t cap() const { return cap_; }
  // Updates sent on link for author that the client has not asked past (for tests and status).
  uint64_t unanswered(LinkId link, const PublicKey& author) const;

 private:
  struct Entry {
    uint64_t served_to = 0;  // highest seq sent
    uint64_t acked_to = 0;   // the client holds everything up to here (by its wants)
    int64_t last_served_ms = 0;
  };
  uint64_t want_credit_;
  uint64_t cap_;
  int64_t reask_gap_ms_;
  std::map<std::pair<LinkId, PublicKey>, Entry> entries_;
};

}  // namespace eichub::sync
