// CreditLedger (docs/reliability.md case 28, issue 17 finding 4): bounds what a server sends on one
// link that the client has not shown it read, in updates per feed and in bytes per link. Updates: a
// want names how far the client has asked before: an honest client asks from `from` only while less
// than want_credit is outstanding, so it holds every update below from - want_credit + 1. What the
// server sent past that is unanswered; an honest client never has more than 2 x want_credit of it
// per feed. Bytes: a client states in each want the seq it holds (held_seq); the bytes of the runs
// sent past it, over all feeds of the link, are the link's unacked bytes, which the server keeps
// under its byte budget (Server). A client that states it restates its want as it reads: a want
// of a range already sent, with held_seq >= from - 1, goes on where the server stopped.
// A re-ask (a want of what was sent, by a client that does not say it holds what precedes, or
// that the server sent nothing for a re-ask gap) is believed once it comes reask_gap_ms after
// the last answer (an honest client re-asks after a timeout) and no answer of the link is still
// queued for sending; otherwise it is not served.
#pragma once

#include <cstdint>
#include <deque>
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

  enum class Verdict { kServe, kOverCap, kReaskTooSoon, kAnswerQueued };
  // A want's verdict, and when kServe the range to serve: count updates from `from` on (count
  // 0: everything asked was sent already).
  struct Admission {
    Verdict verdict = Verdict::kServe;
    uint64_t from = 0;
    uint64_t count = 0;
  };
  // Whether a want of (from, credit, held_seq) may be served now, and what of it.
  // answer_queued: some answer of this link still waits in the transport's send queue.
  // kOverCap: more than the cap in one want, or past the window an honest client keeps (a
  // protocol violation); kReaskTooSoon: a re-ask of what was just sent; kAnswerQueued: a re-ask
  // while an answer is still queued (both dropped unanswered, the client's timeout asks again).
  // held_seq (0: not stated) acknowledges the runs up to it, whatever the verdict.
  Admission admit(LinkId link, const PublicKey& author, uint64_t from, uint64_t credit,
                  uint64_t held_seq, bool answer_queued, int64_t now_ms);
  // The server sent count updates from `from` on, bytes in all.
  void served(LinkId link, const PublicKey& author, uint64_t from, uint64_t count, uint64_t bytes,
              int64_t now_ms);
  void linkDown(LinkId link);
  uint64_t cap() const { return cap_; }
  // Updates sent on link for author that the client has not asked past (for tests and status).
  uint64_t unanswered(LinkId link, const PublicKey& author) const;
  // Bytes of the runs sent on link, over every feed, that its wants have not acknowledged.
  uint64_t unackedBytes(LinkId link) const;
  // The highest seq of author's feed sent on link (0: none).
  uint64_t servedTo(LinkId link, const PublicKey& author) const;

 private:
  struct Run {
    uint64_t first_seq = 0;
    uint64_t last_seq = 0;
    uint64_t bytes = 0;
  };
  struct Entry {
    uint64_t served_to = 0;  // highest seq sent
    uint64_t acked_to = 0;   // the client holds everything up to here (by its wants)
    int64_t last_served_ms = 0;
    std::deque<Run> runs;  // sent past acked_to, oldest first
  };
  // Moves e's acknowledgement up to seq (at most what was sent) and frees the runs it covers.
  void ack(LinkId link, Entry& e, uint64_t seq);
  // Forgets what was sent of e past seq (a re-ask served again from seq + 1).
  void rewind(LinkId link, Entry& e, uint64_t seq);

  uint64_t want_credit_;
  uint64_t cap_;
  int64_t reask_gap_ms_;
  std::map<std::pair<LinkId, PublicKey>, Entry> entries_;
  std::map<LinkId, uint64_t> unacked_bytes_;  // per link: the sum of its entries' runs
};

}  // namespace eichub::sync
