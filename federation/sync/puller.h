// Puller: the engine's pulling part, on client links (our DEALER to a peer's ROUTER). Keeps the
// heads each peer announced, pulls each feed that is behind them from one source at a time
// under want credit (SourcePicker moves a pull off a source that stalls or sends a run we
// refuse), verifies each run received (every link, the last signature, trust, record bodies)
// before it reaches the store, and follows each batch's outcome. A run a peer pushed (updates
// that answer no pull from it, SyncEngine's live path) is taken through the same checks when it
// is small (kMaxPushUpdates, kMaxPushBytes) and links to what this node holds; one that does not
// link is refused without blame and read as the peer's announcement of its head, which is then
// pulled as usual. Each batch handed to the store is kept in the RelayBuffer until committed.
// Not thread-safe: the engine's thread owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "federation/feed/update.h"
#include "federation/sync/body_pump.h"
#include "federation/sync/fork_guard.h"
#include "federation/sync/relay_buffer.h"
#include "federation/sync/source_picker.h"
#include "federation/sync/sync_context.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

// Heads one link may announce of authors trust accepts: as many feeds as one hello holds.
inline constexpr size_t kMaxRemoteHeadsPerLink = wire::kMaxHelloHeads;
// Heads one link may announce of authors trust does not accept (yet): feeds an admission may
// bring; past this a hostile peer's random authors cost nothing, and the peer's next hello
// (asked for when trust changes) tells the rest.
inline constexpr size_t kMaxUnacceptedHeadsPerLink = 1'024;

class Puller {
 public:
  // Called after a verified run of author from link was handed to the store (and kept in the
  // relay buffer when it fits): the engine serves and announces it without waiting for the
  // commit.
  using RunFn = std::function<void(LinkId link, const PublicKey& author)>;
  // context, forks, bodies and relay must outlive the puller. on_run may be empty.
  Puller(SyncContext& context, ForkGuard& forks, BodyPump& bodies, RelayBuffer& relay,
         RunFn on_run);

  // A hello the engine accepted on client link: its heads are announcements (onHave), and it
  // replaces the heads of authors not accepted that the link announced before.
  void onHello(LinkId link, LinkState& state, const wire::Hello& hello);
  // A head the peer on client link announced: remembered (up to kMaxRemoteHeadsPerLink; those of
  // authors not accepted yet apart, up to kMaxUnacceptedHeadsPerLink: trust may change), watched
  // for a split view, and pulled when we are behind.
  void onHave(LinkId link, LinkState& state, const wire::HeadInfo& head);
  // The head a push from a throttled link names, taken as its have (unverified, as a have is:
  // what it starts is a pull, whose answer is verified). Nothing when its last header does not
  // decode.
  void onPushAnnounced(LinkId link, LinkState& state, const wire::Updates& updates);
  // A run link sent. Refused whole unless every update decodes, binds its body, is of one
  // author, links to the one before and the last signature verifies; trust, or a record this
  // node refuses, ends it at the first refused update (one rejection: what precedes it is
  // stored, nothing past it is asked again, and answers to wants sent before are dropped
  // unblamed); it must answer a pull from link and chain from what the pull holds. What passes
  // goes to the store as one batch, with the wanted bodies it lacks queued. A run that answers
  // no pull from link is a push: see acceptPush.
  void onUpdates(LinkId link, wire::Updates& updates);
  // Starts or continues the pull of author's feed when a link that may be asked announced more
  // than we hold (capped at what trust accepts): at most want_credit outstanding, one source.
  void pullIfBehind(const PublicKey& author);
  // True when batch_id is a batch of updates submitted here; follows its pull (a refusal by the
  // store starts it again from the store's head after store_retry_ms) and tells the relay
  // buffer (a failed batch is dropped there with the later runs of its feed).
  bool applied(uint64_t batch_id, const Status& status);
  // Pulls from link move to another source; batches already submitted still complete.
  void linkDown(LinkId link);
  // Periodic work: a pull without progress for want_timeout_ms is asked again, of another
  // source when one announces the feed; a pull the store refused is retried once due.
  void tick(int64_t now_ms);
  // When tick() next has work: the soonest want timeout of a pull waiting on a peer, or store
  // retry; INT64_MAX when none.
  int64_t nextTickMs() const;
  // Pulls every feed a link announced that is now behind (trust may accept more); a link that
  // announced more heads than were kept is asked for a fresh hello.
  void trustChanged();
  // author's feed froze: its pull ends.
  void forget(const PublicKey& author) { pulls_.erase(author); }

  // True while some feed is behind what a peer announced.
  bool catchingUp() const { return !pulls_.empty(); }
  // Updates received but not yet applied, over all feeds.
  uint64_t pendingUpdates() const;
  uint64_t storeFailures() const { return store_failures_; }
  // Updates not stored because they passed this node's own byte budget (trust::reason::
  // kLocalBudget), by author: a local choice, never counted against the peer that sent them.
  const std::map<PublicKey, uint64_t>& overLocalBudget() const { return over_local_budget_; }
  uint64_t sourceSwitches() const { return sources_.switches(); }
  // When the pull of author's feed last advanced; nothing when it is not pulled.
  std::optional<int64_t> lastAdvanceMs(const PublicKey& author) const;
  // The last seq of author's feed that may be pulled: trust's cut-off, and before a record
  // this node refused or the update that passed the author's byte quota.
  uint64_t pullableTo(const PublicKey& author) const;

 private:
  // One feed being pulled.
  struct Pull {
    LinkId link = 0;
    feed::Head tail;               // head after the last verified batch (applied or not)
    uint64_t requested_to = 0;     // last seq covered by wants sent
    uint64_t in_flight = 0;        // batches submitted, not yet applied
    int64_t last_progress_ms = 0;  // when a want was sent or a batch arrived
    int64_t retry_at_ms = 0;       // set when the store refused a batch: no wants before
    uint64_t started_at_seq = 0;   // for the log line when it finishes
    int64_t started_ms = 0;
    int64_t last_advance_ms = 0;     // when the tail last moved
    uint64_t in_flight_updates = 0;  // updates in the batches in flight
    bool live = false;  // started by a push: its start and end are not logged (one per update)
  };
  // Where a run was cut (trust refused an update, or the record of seq): answers up to
  // asked_to that link owes for wants sent before are dropped without blame.
  struct Refusal {
    LinkId link = 0;
    uint64_t seq = 0;
    uint64_t asked_to = 0;
    bool invalid_record = false;  // the feed's valid prefix ends before seq, from every source
    // The byte quota ends the valid prefix before seq, from every source, until trust changes.
    bool over_byte_quota = false;
  };
  struct Batch {
    PublicKey author{};
    LinkId link = 0;
    uint64_t count = 0;
  };

  // A run link pushed (batch: decoded, linked within itself, trusted): refused as "push too
  // large" past kMaxPushUpdates or kMaxPushBytes; dropped unblamed as duplicates when we hold
  // its last update; otherwise, unless it links to the tail (held or in flight), dropped
  // unblamed (counted in pushes_unlinked) and read as link's have of its last header. Returns
  // the pull to store it in (created for the push when none exists), or nullptr.
  // Tells link, a server that keeps a byte budget, what we hold of the feed pull is pulling
  // from it (a want from the tail on, the rest of what we asked): it serves what its budget held
  // back. Nothing for an older server, which would take it as an early re-ask.
  void restateWant(LinkId link, Pull& pull, const PublicKey& author);
  Pull* acceptPush(LinkId link, std::vector<feed::VerifiedUpdate>& batch);
  // Drops the part of batch at or below pull's tail, checks each link and record, and hands
  // what passes to the store as one batch. refusal: the trust refusal that cut batch, if any;
  // pushed: link pushed it (counted in updates_pushed).
  void storeRun(LinkId link, Pull& pull, std::vector<feed::VerifiedUpdate>& batch,
                std::string refusal, bool pushed);
  // Ends author's pull when nothing is in flight or owed and it holds all it may pull.
  void finishIfDone(const PublicKey& author);
  // Pulls served by link move to another peer announcing the same feed (cases 29, 35).
  void leaveSource(LinkId link);
  // Counts count updates of author's feed from seq on refused by this node's byte budget; logs
  // the first time per author.
  void overLocalBudget(const PublicKey& author, uint64_t seq, uint64_t count);
  // The link to ask for author's updates after after_seq, and the seq it announced: of the
  // links announcing more than after_seq, the one announcing the most, passing over sources
  // avoided for this feed unless only they have more. A peer behind what the pull holds is no
  // source, however fresh. {0, 0} when no link has more.
  std::pair<LinkId, uint64_t> sourceFor(const PublicKey& author, uint64_t after_seq) const;

  SyncContext& context_;
  ForkGuard& forks_;
  BodyPump& bodies_;
  RelayBuffer& relay_;
  RunFn on_run_;
  std::map<PublicKey, Pull> pulls_;
  std::map<uint64_t, Batch> batches_;
  std::map<PublicKey, Refusal> refused_;  // at most one per feed pulled
  uint64_t store_failures_ = 0;
  std::map<PublicKey, uint64_t> over_local_budget_;  // one entry per trusted author at most
  SourcePicker sources_;
};

}  // namespace eichub::sync
