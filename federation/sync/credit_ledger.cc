// CreditLedger: updates and bytes a link was sent that its client has not acknowledged.
#include "federation/sync/credit_ledger.h"

#include <algorithm>

namespace eichub::sync {

void CreditLedger::ack(LinkId link, Entry& e, uint64_t seq) {
  e.acked_to = std::max(e.acked_to, seq);
  while (!e.runs.empty() && e.runs.front().last_seq <= e.acked_to) {
    unacked_bytes_[link] -= e.runs.front().bytes;
    e.runs.pop_front();
  }
}

void CreditLedger::rewind(LinkId link, Entry& e, uint64_t seq) {
  e.served_to = seq;
  e.acked_to = std::min(e.acked_to, e.served_to);
  while (!e.runs.empty() && e.runs.back().first_seq > seq) {
    unacked_bytes_[link] -= e.runs.back().bytes;
    e.runs.pop_back();
  }
}

CreditLedger::Admission CreditLedger::admit(LinkId link, const PublicKey& author, uint64_t from,
                                            uint64_t credit, uint64_t held_seq, bool answer_queued,
                                            int64_t now_ms) {
  if (credit > cap_) return {Verdict::kOverCap};
  auto it = entries_.find({link, author});
  if (it == entries_.end()) return {Verdict::kServe, from, credit};  // nothing sent yet
  Entry& e = it->second;
  if (held_seq != 0) ack(link, e, held_seq);
  if (from > want_credit_) ack(link, e, from - want_credit_);
  const uint64_t end = from + credit - 1;
  if (from <= e.served_to && credit > 1) {
    // A want of what was sent. One-update re-asks (split-view probes) cost the client as much
    // as us and are always answered; they do not reset the ledger.
    const bool restated = held_seq != 0 && held_seq + 1 >= from;
    const bool reask_due = now_ms - e.last_served_ms >= reask_gap_ms_ && !answer_queued;
    if (restated && !reask_due) {
      // The client read up to held_seq and restates its want: go on where we stopped.
      if (end <= e.served_to) return {Verdict::kServe, e.served_to + 1, 0};
      from = e.served_to + 1;
    } else if (answer_queued) {
      return {Verdict::kAnswerQueued};
    } else if (!reask_due) {
      return {Verdict::kReaskTooSoon};
    } else {
      rewind(link, e, from - 1);
    }
  }
  const uint64_t count = end - from + 1;
  const uint64_t open = e.served_to > e.acked_to ? e.served_to - e.acked_to : 0;
  // Advancing wants of an honest client keep open + credit < 2 x want_credit.
  if (from > e.served_to && open + count > cap_) return {Verdict::kOverCap};
  return {Verdict::kServe, from, count};
}

void CreditLedger::served(LinkId link, const PublicKey& author, uint64_t from, uint64_t count,
                          uint64_t bytes, int64_t now_ms) {
  if (count == 0) return;
  Entry& e = entries_[{link, author}];
  e.runs.push_back({from, from + count - 1, bytes});
  unacked_bytes_[link] += bytes;
  e.served_to = std::max(e.served_to, from + count - 1);
  e.last_served_ms = now_ms;
}

void CreditLedger::linkDown(LinkId link) {
  auto it = entries_.lower_bound({link, PublicKey{}});
  while (it != entries_.end() && it->first.first == link) it = entries_.erase(it);
  unacked_bytes_.erase(link);
}

uint64_t CreditLedger::unanswered(LinkId link, const PublicKey& author) const {
  auto it = entries_.find({link, author});
  if (it == entries_.end()) return 0;
  const Entry& e = it->second;
  return e.served_to > e.acked_to ? e.served_to - e.acked_to : 0;
}

uint64_t CreditLedger::unackedBytes(LinkId link) const {
  auto it = unacked_bytes_.find(link);
  return it == unacked_bytes_.end() ? 0 : it->second;
}

uint64_t CreditLedger::servedTo(LinkId link, const PublicKey& author) const {
  auto it = entries_.find({link, author});
  return it == entries_.end() ? 0 : it->second.served_to;
}

}  // namespace eichub::sync
