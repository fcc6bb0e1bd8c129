// SyncEngine: the sync protocol's logic, independent of sockets and threads. The daemon's
// reactor feeds it link events and received bytes; it answers through a send callback and
// hands verified batches to Storage::submit.
//
// A link is one DEALER->ROUTER connection. On a kClient link (our DEALER) we send hello and
// want and receive hello, have and updates; on a kServer link (a peer's DEALER at our ROUTER)
// we answer hello, serve wants within their credit and announce our new heads with have.
// Not thread-safe: one reactor thread owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "federation/sync/body_fetcher.h"
#include "federation/sync/credit_ledger.h"
#include "federation/sync/fork_watch.h"
#include "federation/sync/source_picker.h"
#include "federation/sync/storage.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

enum class Role { kClient, kServer };

// Whether this node keeps the body of an upsert with this header (selective sync). The node
// supplies it (federation/ knows no catalogue tags); an empty filter keeps every body.
using BodyFilter = std::function<bool(const feed::HeaderFields&)>;

struct SyncOptions {
  std::string network;
  PublicKey node_id{};
  uint32_t want_credit = 4096;      // updates one want asks for; the window per feed is 2x this
  uint64_t reject_limit = 64;       // rejections on a link before it is throttled
  int64_t throttle_ms = 30'000;     // how long a throttled link's messages are ignored
  int64_t want_timeout_ms = 5'000;  // a want with no answer this long is asked again
  // The bodies this node keeps; the rest of every feed is held as headers (selective sync).
  // Empty: every body, and wants ask for bodies with their headers (a full node).
  BodyFilter wants_body;
  // The least wait after the store refused a batch (disk or map full); at least the re-ask gap.
  int64_t store_retry_ms = 1'000;
  // A feed behind what a peer announced that has not advanced this long is stale (status).
  int64_t stale_after_ms = 15'000;
  // Whether the node id a hello claims belongs to the peer authenticated by transport key
  // peer_key (SECURITY.md case 25): the session's identity is its CURVE key, never the claim. A
  // hello it refuses is counted (identity_mismatch) and answered with bye. Empty: not checked.
  std::function<bool(const std::string& peer_key, const PublicKey& node_id)> identity_matches;
};

struct LinkStats {
  std::string peer_key;  // the peer's CURVE key (Z85), from the transport
  Role role = Role::kClient;
  bool up = false;
  int64_t last_seen_ms = 0;
  uint64_t updates_received = 0;  // verified and handed to the writer
  uint64_t updates_applied = 0;
  // Updates received again that we hold: a run's part up to our head when its copy of our head
  // is ours, by signed hash or by header bytes (a second valid signature over a held header is a
  // duplicate, never a fork; case 5).
  uint64_t duplicates = 0;
  uint64_t updates_sent = 0;
  uint64_t bodies_received = 0;  // fetched bodies that matched their headers
  uint64_t bodies_sent = 0;
  uint64_t rejected = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  bool throttled = false;
};

// One feed as a peer announced it (its hello and have messages on our client link to it). A
// node learns only its direct peers' heads: what their own peers hold is not relayed.
struct PeerFeedHead {
  PublicKey author{};
  uint64_t seq = 0;
  uint64_t accepted_seq = 0;   // seq capped at what trust lets this node hold (0: not accepted)
  int64_t ahead_since_ms = 0;  // since when accepted_seq passed this node's head; 0: it has not
};

// What one client link's peer announced: empty until its hello arrives, cleared when the link
// goes down.
struct PeerHeads {
  std::string peer_key;  // the peer's CURVE key (Z85)
  bool up = false;
  bool hello_received = false;      // since the link came up: heads is what the peer holds
  std::vector<PeerFeedHead> heads;  // in author order
};

struct FeedSyncState {
  PublicKey author{};
  uint64_t local_seq = 0;
  uint64_t best_remote_seq = 0;  // highest seq any peer announced
  // Behind what a peer announced, and not advancing for stale_after_ms (withheld, case 14).
  bool stale = false;
};

class SyncEngine {
 public:
  using SendFn = std::function<void(LinkId, Bytes)>;
  using ClockFn = std::function<int64_t()>;
  // Called once per rejection, for the daemon's log (which rate-limits it).
  using RejectFn = std::function<void(LinkId, const std::string& reason)>;
  // Called when a feed's sync starts or finishes, with key=value fields for the log.
  using EventFn = std::function<void(const std::string& fields)>;

  // storage and trust must outlive the engine.
  SyncEngine(SyncOptions options, Storage& storage, const TrustPolicy& trust, SendFn send,
             ClockFn clock, RejectFn on_reject = {}, EventFn on_event = {});

  // A link came up (client links: the handshake succeeded; server links: first message).
  void linkUp(LinkId link, Role role, std::string peer_key);
  void linkDown(LinkId link);
  // A server link's peer reconnected (a new transport session): what was sent on the old one
  // is gone, so its re-asks are not early (CreditLedger).
  void newSession(LinkId link) { credit_.linkDown(link); }
  // Handles one message received on link. Returns false when the link is (now) throttled.
  bool receive(LinkId link, ByteView bytes);
  // The writer's outcome for a batch handed to Storage::submit.
  void applied(uint64_t batch_id, const Status& status);
  // Local heads may have changed (our own publish, or an applied batch): announce them.
  void localHeadsChanged();
  // The trust policy changed: pull feeds peers announced that are now accepted.
  void trustChanged();
  // Periodic work: wants that got no answer for want_timeout_ms are asked again (a server may
  // drop messages under pressure; this is what makes that harmless); so are body fetches, and
  // the store is scanned for subscribed bodies still missing (at start, and after the fetch
  // queue overflowed).
  void tick();
  // Fetches the bodies of these held updates from any peer that has them, whatever the
  // body filter (`eichub get` of a record held without its body). Refs whose update is not
  // held, or held with its body, are skipped. Returns how many were queued.
  size_t fetchBodies(const std::vector<wire::BodyRef>& refs);

  // Replaces the body filter: later wants ask for bodies by the new one, and the store is
  // scanned again for wanted bodies still missing. Bodies already held stay.
  void setBodyFilter(BodyFilter wants_body);

  std::vector<LinkStats> linkStats() const;
  // The heads each client link's peer announced, compared with the store's heads to keep each
  // feed's ahead_since_ms (first noticed at the call after the announcement, so call it
  // regularly: the daemon does at each snapshot). Errors: the store's.
  Result<std::vector<PeerHeads>> peerHeads();
  Result<std::vector<FeedSyncState>> feedStates();
  // Updates received but not yet applied, over all feeds (bounded by the credit windows).
  uint64_t pendingUpdates() const;
  // True while some feed is behind what a peer announced.
  bool catchingUp() const { return !pulls_.empty(); }
  // Verified batches the store failed to apply (disk full, map at its cap, and the batches in
  // flight behind such a failure). A local problem: never counted against the peer.
  uint64_t storeFailures() const { return store_failures_; }
  // Bodies being fetched, and those no peer up delivered.
  size_t bodiesPending() const { return fetcher_.pending(); }
  uint64_t bodiesGivenUp() const { return fetcher_.givenUp(); }
  // Pulls moved to another peer after a progress timeout or a refused run (cases 29, 35).
  uint64_t sourceSwitches() const { return sources_.switches(); }
  // Headers asked of peers to compare with ours (split view, case 12).
  uint64_t forkProbes() const { return forks_.probesSent(); }
  // Wants left unanswered without blame, by reason (re-asks sooner than a timeout, case 28).
  const std::map<std::string, uint64_t>& refusedWants() const { return refused_wants_; }

 private:
  struct Link {
    LinkStats stats;
    bool subscribed = false;                           // server role: the client said hello
    bool hello_received = false;                       // client role: the server said hello
    std::map<PublicKey, wire::HeadInfo> remote_heads;  // client role: what the server holds
    std::map<PublicKey, int64_t> ahead_since_ms;       // feeds where it announced more than us
    int64_t throttled_until_ms = 0;
  };
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
    int64_t last_advance_ms = 0;  // when the tail last moved
  };
  struct Batch {
    PublicKey author{};
    LinkId link = 0;
    uint64_t count = 0;
  };

  void reject(LinkId link, const std::string& reason);
  void send(LinkId link, const wire::Message& message);
  Result<wire::Hello> ourHello();
  void onHello(LinkId link, Link& state, const wire::Hello& hello);
  void onHave(LinkId link, Link& state, const wire::HeadInfo& head);
  void onWant(LinkId link, const wire::Want& want);
  void onUpdates(LinkId link, wire::Updates& updates);
  void onFork(LinkId link, const wire::ForkProof& proof);
  // theirs (signature checked, trusted) is the seq after our head but its prev is not our head's
  // hash: the proof (theirs, our header before it) freezes the feed after our head (12c).
  void chainBreakSeen(LinkId link, const feed::VerifiedUpdate& theirs);
  void onWantBodies(LinkId link, const wire::WantBodies& want);
  void onBodies(LinkId link, wire::Bodies& bodies);
  // Queues fetches for the subscribed bodies a verified run lacks (its last version of each
  // record only: what the run supersedes, deletes or erases would be dropped by the store).
  void queueMissingBodies(LinkId link, const std::vector<feed::VerifiedUpdate>& batch);
  // Sends the body requests the fetcher has ready to the up client links.
  void pumpBodies();
  void scanMissingBodies();
  // True when this upsert's body is kept (the body filter, or every body when it is empty).
  bool wantsBody(const feed::HeaderFields& header) const;
  // A peer sent a valid header at a seq we hold with different bytes: build and spread a proof.
  void forkSeen(LinkId link, const feed::VerifiedUpdate& theirs);
  void pullIfBehind(const PublicKey& author);
  // Split view (case 12): compares a peer's announced head with ours, asks for the header at a
  // seq where they may differ, and checks the answer.
  void watchHead(LinkId link, const wire::HeadInfo& head);
  // Sends link the proof that froze author's feed, once per proof.
  void offerProof(LinkId link, const PublicKey& author);
  void probeFork(LinkId link, const PublicKey& author, uint64_t seq);
  void onProbeAnswer(LinkId link, const feed::VerifiedUpdate& theirs);
  // The update held at seq (body included when held), or nothing.
  std::optional<feed::SignedUpdate> heldUpdate(const PublicKey& author, uint64_t seq);
  // signedHeaderHash of the update held at seq, or nothing.
  std::optional<Hash32> heldHash(const PublicKey& author, uint64_t seq);
  // Pulls served by link move to another peer announcing the same feed (cases 29, 35).
  void leaveSource(LinkId link);
  // Serves a want that the credit ledger admitted; returns the updates sent.
  uint64_t serveWant(LinkId link, const wire::Want& want);
  // What link announced for author, if it may be asked now (an up client link, not throttled).
  const wire::HeadInfo* askableHead(const Link& link, const PublicKey& author, int64_t now) const;
  // The highest seq of author's feed that a link that may be asked now announced.
  uint64_t highestAnnounced(const PublicKey& author) const;
  // The link to ask for author's updates after after_seq, and the seq it announced: of the
  // links announcing more than after_seq, the one announcing the most, passing over sources
  // avoided for this feed unless only they have more. A peer behind what the pull holds is no
  // source, however fresh. {0, 0} when no link has more.
  std::pair<LinkId, uint64_t> sourceFor(const PublicKey& author, uint64_t after_seq) const;

  SyncOptions options_;
  Storage& storage_;
  const TrustPolicy& trust_;
  SendFn send_;
  ClockFn clock_;
  RejectFn on_reject_;
  EventFn on_event_;
  std::map<LinkId, Link> links_;
  std::map<PublicKey, Pull> pulls_;
  std::map<uint64_t, Batch> batches_;
  uint64_t store_failures_ = 0;
  std::map<PublicKey, uint64_t> announced_;  // last head seq announced per feed
  uint64_t next_batch_id_ = 1;
  BodyFetcher fetcher_;
  std::map<uint64_t, LinkId> body_batches_;  // submitted batches of fetched bodies, by id
  bool scan_needed_ = true;   // the store may hold subscribed upserts without their bodies
  wire::BodyRef scan_after_;  // where the next scan resumes
  CreditLedger credit_;
  ForkWatch forks_;
  SourcePicker sources_;
  std::map<std::string, uint64_t> refused_wants_;
};

}  // namespace eichub::sync
