#include "federation/sync/credit_ledger.h"

#include <algorithm>

namespace eichub::sync {

CreditLedger::Verdict CreditLedger::admit(LinkId link, const PublicKey& author, uint64_t from,
                                          uint64_t credit, int64_t now_ms) {
  if (credit > cap_) return Verdict::kOverCap;
  auto it = entries_.find({link, author});
  if (it == entries_.end()) return Verdict::kServe;  // nothing sent yet
  Entry& e = it->second;
  if (from <= e.served_to && credit > 1) {
    // A re-ask of what was sent. One-update re-asks (split-view probes) cost the client as
    // much as us and are always answered; they do not reset the ledger.
    if (now_ms - e.last_served_ms < reask_gap_ms_) return Verdict::kReaskTooSoon;
    e.served_to = from - 1;
    e.acked_to = std::min(e.acked_to, e.served_to);
  }
  if (from > want_credit_) e.acked_to = std::max(e.acked_to, from - want_credit_);
  const uint64_t open = e.served_to > e.acked_to ? e.served_to - e.acked_to : 0;
  // Advancing wants of an honest client keep open + credit < 2 x want_credit.
  if (from > e.served_to && open + credit > cap_) return Verdict::kOverCap;
  return Verdict::kServe;
}

void CreditLedger::served(LinkId link, const PublicKey& author, uint64_t from, uint64_t count,
                          int64_t now_ms) {
  if (count == 0) return;
  Entry& e = entries_[{link, author}];
  e.served_to = std::max(e.served_to, from + count - 1);
  e.last_served_ms = now_ms;
}

void CreditLedger::linkDown(LinkId link) {
  auto it = entries_.lower_bound({link, PublicKey{}});
  while (it != entries_.end() && it->first.first == link) it = entries_.erase(it);
}

uint64_t CreditLedger::unanswered(LinkId link, const PublicKey& author) const {
  auto it = entries_.find({link, author});
  if (it == entries_.end()) return 0;
  const Entry& e = it->second;
  return e.served_to > e.acked_to ? e.served_to - e.acked_to : 0;
}

}  // namespace eichub::sync
