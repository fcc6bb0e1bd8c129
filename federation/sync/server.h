// Server: the engine's serving part, on server links (a peer's DEALER at our ROUTER). Answers a
// client's hello with ours (and the proofs of feeds it still holds that we froze), serves its
// wants within the credit the CreditLedger admits and the link's byte budget (what the ledger
// holds unacknowledged, or the transport still queues, at most serve_budget_bytes; the rest of
// a want waits until the client's wants say it read more), each run ending at a signature that
// verifies,
// serves its body requests, and announces each new head: it pushes the new updates themselves
// to a peer known to be at most kMaxPushUpdates behind (a live hop is one send, not have, want
// and updates), and sends have to the others. What it serves and pushes comes from the store
// and, before their commit, from the RelayBuffer.
// Not thread-safe: the engine's thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "federation/sync/credit_ledger.h"
#include "federation/sync/fork_guard.h"
#include "federation/sync/relay_buffer.h"
#include "federation/sync/sync_context.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

// The most a want may ask for: bounds what one want makes a server read and send.
inline constexpr uint32_t kMaxWantCredit = 65'536;
// The least time between two hellos answered on one session: an answer holds every head we
// hold (up to 7.9 MB), and a client needs one per session and one when its trust changes.
inline constexpr int64_t kHelloAnswerGapMs = 1'000;

class Server {
 public:
  // context, forks and relay must outlive the server.
  Server(SyncContext& context, ForkGuard& forks, const RelayBuffer& relay);

  // A hello the engine accepted (version, network, identity) on server link: the link is
  // subscribed and answered with our hello, unless one was answered on this session less than
  // kHelloAnswerGapMs ago (dropped without blame, counted in refusedWants() as "hello too soon").
  // The answer holds the store's heads; feeds with a run waiting for its commit are owed a have
  // after it (they were announced before this hello).
  void onHello(LinkId link, LinkState& state, const wire::Hello& hello);
  // Rejects a want before hello ("want before hello") or out of bounds ("bad want"; credit 0 or
  // over kMaxWantCredit, seq 0, held_seq >= from_seq) or past the ledger's window ("credit
  // exceeded"); drops a re-ask too soon, or while an answer of the link is still queued,
  // unanswered (counted in refusedWants(): "re-ask too soon", "answer still queued"). Serves
  // what the link's byte budget has room for, read from the store no larger than that room (one
  // update at least when nothing is outstanding); the rest waits (counted as "byte budget
  // full") and is served as room opens: at the link's next want, or resumeDeferred. A frozen
  // feed is served only as single headers at or below its accepted seq (fork probes).
  void onWant(LinkId link, const wire::Want& want);
  // Serves what waits for room on every link that has room now (the engine's tick: a queue
  // that drained opens room without a want).
  void resumeDeferred();
  // True while serves wait for room in some link's byte budget.
  bool hasDeferred() const { return !deferred_.empty(); }
  // Room left in link's byte budget: serve_budget_bytes less the larger of what the ledger
  // holds unacknowledged and what the transport still queues.
  uint64_t budgetRoom(LinkId link) const;
  // Answers each ref with the body held, or an empty one, in messages of at most
  // wire::kMaxBodiesBytes, as far as the link's byte budget has room (one body at least); refs
  // past the room are left unanswered and counted ("byte budget full"). Rejects a request
  // before hello.
  void onWantBodies(LinkId link, const wire::WantBodies& want);
  // For each head past the one last announced (the store's, or the relay buffer's when it holds
  // more), pushes or announces it to every subscribed up link (pushOrAnnounce). A head that went
  // back (a relayed run whose commit failed) is announced again once it is held again. Then
  // sends the haves owed to the peers runs came from, for feeds whose runs are all committed.
  void announceHeads();
  // The same for author's feed alone, after verified runs of it were handed to the writer;
  // links whose peer has one of the transport keys source_keys (where the runs came from) are
  // owed a have once they are committed (announceHeads).
  void announceHead(const PublicKey& author, const std::set<std::string>& source_keys);
  // The peer with transport key peer_key said it holds head (a have or updates on our client
  // link to it): its server link is not pushed what it holds. Only feeds already followed for
  // that link move (peer_at_ does not grow).
  void peerHolds(const std::string& peer_key, const wire::HeadInfo& head);
  // The link went down, or its peer reconnected (a new transport session): what was sent on
  // the old session is gone, so its re-asks are not early, and what it holds is unknown.
  void forgetSession(LinkId link);
  // Pushes sent (each one Updates message in place of a have).
  uint64_t pushesSent() const { return pushes_sent_; }
  // Wants left unanswered without blame, by reason (re-asks sooner than a timeout, case 28).
  const std::map<std::string, uint64_t>& refusedWants() const { return refused_wants_; }
  const CreditLedger& credit() const { return credit_; }

 private:
  // A want's rest that waited for room: up to end_seq, of headers only or not.
  struct Deferred {
    uint64_t end_seq = 0;
    bool headers_only = false;
  };
  // resumeDeferred for link alone, or for every link.
  void resume(std::optional<LinkId> only);
  // Serves count updates of author from `from` on (as far as the byte budget has room: the
  // rest is deferred) and records them in the ledger; returns the updates sent.
  uint64_t serveRange(LinkId link, const PublicKey& author, uint64_t from, uint64_t count,
                      bool headers_only);
  // Updates of author from from_seq on, from the store, else from the relay buffer when the
  // store holds none of them yet. Errors: the store's.
  Result<std::vector<feed::SignedUpdate>> readServable(const PublicKey& author, uint64_t from_seq,
                                                       size_t max_count, size_t max_bytes);
  // Drops updates from the end of run until it ends at a signature that verifies (or was
  // verified on receipt, in the relay buffer).
  void endAtVerifiedSignature(const PublicKey& author, std::vector<feed::SignedUpdate>& run);
  // The run of author's feed from from_seq to head, when it fits in one push and ends at head's
  // hash under a verified signature.
  std::optional<std::vector<feed::SignedUpdate>> pushRun(const wire::HeadInfo& head,
                                                         uint64_t from_seq);
  // Sends head's new updates to each subscribed up link whose peer is known to hold the feed
  // at most kMaxPushUpdates (and kMaxPushBytes) behind, have to the other links (further behind,
  // unknown, or holding head already); links whose peer has a transport key in skip_keys (where
  // the runs came from) are owed a have after the commit.
  void pushOrAnnounce(const wire::HeadInfo& head, const std::set<std::string>& skip_keys);
  // What link's peer holds of author (or will, once what was sent it arrives), when known.
  std::optional<uint64_t> peerAt(LinkId link, const PublicKey& author) const;

  SyncContext& context_;
  ForkGuard& forks_;
  CreditLedger credit_;
  std::map<std::string, uint64_t> refused_wants_;
  std::map<PublicKey, uint64_t> announced_;      // last head seq announced per feed
  std::map<LinkId, int64_t> hello_answered_ms_;  // per link: when its session's hello was answered
  const RelayBuffer& relay_;
  // Per link and feed, the seq its peer holds or will hold: from its hello (feeds we hold), the
  // wants served and the pushes sent on this session. Bounded by the configured peers times
  // the feeds held.
  std::map<std::pair<LinkId, PublicKey>, uint64_t> peer_at_;
  std::set<LinkId> headers_only_;  // links whose last want asked for headers only
  // Per link and feed, the rest of a want that waits for room in the link's byte budget. At
  // most links x feeds; a later want of the feed replaces it.
  std::map<std::pair<LinkId, PublicKey>, Deferred> deferred_;
  // Links owed a have of a feed: their peer sent us a run of it, or said hello while a run of it
  // waited for its commit; announceHeads tells them we hold it once no run of the feed waits for
  // its commit. At most links x feeds.
  std::set<std::pair<LinkId, PublicKey>> have_owed_;
  uint64_t pushes_sent_ = 0;
};

}  // namespace eichub::sync
