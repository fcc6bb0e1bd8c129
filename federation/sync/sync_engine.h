// SyncEngine: the sync protocol's logic, independent of sockets and threads. The daemon's
// reactor feeds it link events and received bytes; it answers through a send callback and
// hands verified batches to Storage::submit.
//
// A link is one DEALER->ROUTER connection. On a kClient link (our DEALER) we send hello and
// want and receive hello, have and updates; on a kServer link (a peer's DEALER at our ROUTER)
// we answer hello, serve wants within their credit and announce our new heads with have.
// The engine checks hellos and routes each message to one of its parts, which share a
// SyncContext: Server (serving and pushing), Puller (pulling and receiving runs, pushed ones
// too), ForkGuard (fork watching and proofs), BodyPump (body fetching), RelayBuffer (verified
// runs not yet committed) and SyncStatus (reports).
//
// The live path (docs/architecture.md "From a peer to the commit"): a run verified here is
// served and pushed on from the RelayBuffer as soon as it is handed to the writer, before its
// commit, and a new head is pushed as updates to each peer known to be a few updates behind
// instead of have -> want -> updates. Receivers verify every run themselves, so neither step
// asks them to trust this node; this node's own state waits for its commit.
// Not thread-safe: one reactor thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "federation/sync/body_pump.h"
#include "federation/sync/fork_guard.h"
#include "federation/sync/puller.h"
#include "federation/sync/relay_buffer.h"
#include "federation/sync/server.h"
#include "federation/sync/storage.h"
#include "federation/sync/sync_context.h"
#include "federation/sync/sync_options.h"
#include "federation/sync/sync_status.h"
#include "federation/sync/trust_policy.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

class SyncEngine {
 public:
  using SendFn = SyncContext::SendFn;
  using ClockFn = SyncContext::ClockFn;
  // Called once per rejection, for the daemon's log (which rate-limits it).
  using RejectFn = SyncContext::RejectFn;
  // Called when a feed's sync starts or finishes, with key=value fields for the log.
  using EventFn = SyncContext::EventFn;

  // storage and trust must outlive the engine.
  SyncEngine(SyncOptions options, Storage& storage, const TrustPolicy& trust, SendFn send,
             ClockFn clock, RejectFn on_reject = {}, EventFn on_event = {});

  // A link came up (client links: the handshake succeeded; server links: first message).
  void linkUp(LinkId link, Role role, std::string peer_key);
  void linkDown(LinkId link);
  // A server link's peer reconnected (a new transport session): what was sent on the old one
  // is gone, so its re-asks are not early (CreditLedger).
  void newSession(LinkId link) { server_.forgetSession(link); }
  // Where the engine learns how many bytes of a link's answers the transport still queues:
  // a server serves no more to a link whose queue holds its byte budget, and does not serve a
  // re-ask again while an answer is queued (issue 17, finding 4).
  void setQueuedBytes(SyncContext::QueuedFn queued) { context_.setQueuedBytes(std::move(queued)); }
  // Handles one message received on link. Returns false when the link is (now) throttled.
  // A throttled link's payload is dropped unread and unblamed; its announcements (a client
  // link's hello and have) are still kept, so that its feeds are pulled once the throttle ends.
  bool receive(LinkId link, ByteView bytes);
  // The writer's outcome for a batch handed to Storage::submit.
  void applied(uint64_t batch_id, const Status& status);
  // Announces the heads of the runs taken since the last call (with announce_after_reads; a
  // no-op without it): once per feed, each run's source owed a have after its commit.
  void flushAnnouncements();
  // Local heads may have changed (our own publish, or an applied batch): announce them.
  void localHeadsChanged() { server_.announceHeads(); }
  // The trust policy changed: pull feeds peers announced that are now accepted.
  void trustChanged() { puller_.trustChanged(); }
  // Periodic work: wants that got no answer for want_timeout_ms are asked again (a server may
  // drop messages under pressure; this is what makes that harmless); so are body fetches, and
  // the store is scanned for wanted bodies still missing (at start, and after the fetch queue
  // overflowed).
  void tick();
  // When tick() next has work, by the engine's clock: a want timing out, a store retry, a
  // throttle ending; kBusyRecheckMs from now while serves wait for budget room or bodies are
  // fetched (they wait on queues that drain without an event); INT64_MAX when nothing waits on
  // time. Between events, the daemon sleeps until then (an idle node does not wake).
  int64_t nextTickMs() const;
  // Fetches the bodies of these held updates from any peer that has them, whatever the body
  // filter (`eichub get` of a record held without its body). Refs whose update is not held, or
  // held with its body, are skipped. Returns how many were queued.
  size_t fetchBodies(const std::vector<wire::BodyRef>& refs) { return bodies_.fetch(refs); }

  // Replaces the body filter: later wants ask for bodies by the new one, and the store is
  // scanned again for wanted bodies still missing. Bodies already held stay.
  void setBodyFilter(BodyFilter wants_body);

  std::vector<LinkStats> linkStats() const { return status_.linkStats(); }
  const std::map<std::string, SentTotals, std::less<>>& sentByType() const {
    return context_.sentByType();
  }
  // The heads each client link's peer announced, compared with the store's heads to keep each
  // feed's ahead_since_ms (first noticed at the call after the announcement, so call it
  // regularly: the daemon does every 5 s and at each snapshot). Errors: the store's.
  Result<std::vector<PeerHeads>> peerHeads() { return status_.peerHeads(); }
  Result<std::vector<FeedSyncState>> feedStates() { return status_.feedStates(); }
  // Updates received but not yet applied, over all feeds (bounded by the credit windows).
  uint64_t pendingUpdates() const { return puller_.pendingUpdates(); }
  // True while some feed is behind what a peer announced.
  bool catchingUp() const { return puller_.catchingUp(); }
  // Verified batches the store failed to apply (disk full, map at its cap, and the batches in
  // flight behind such a failure). A local problem: never counted against the peer.
  uint64_t storeFailures() const { return puller_.storeFailures(); }
  // Updates past this node's own byte budget, not stored, by author (trust::reason::
  // kLocalBudget). A local choice: never counted against the peer.
  const std::map<PublicKey, uint64_t>& overLocalBudget() const { return puller_.overLocalBudget(); }
  // Bodies being fetched, and those no peer up delivered.
  size_t bodiesPending() const { return bodies_.pending(); }
  uint64_t bodiesGivenUp() const { return bodies_.givenUp(); }
  // Pulls moved to another peer after a progress timeout or a refused run (cases 29, 35).
  uint64_t sourceSwitches() const { return puller_.sourceSwitches(); }
  // Headers asked of peers to compare with ours (split view, case 12).
  uint64_t forkProbes() const { return forks_.probesSent(); }
  // Wants left unanswered without blame, by reason (re-asks sooner than a timeout, case 28).
  const std::map<std::string, uint64_t>& refusedWants() const { return server_.refusedWants(); }
  // Pushes sent in place of have (each one Updates message).
  uint64_t pushesSent() const { return server_.pushesSent(); }
  // Verified runs served from memory until their commit: bytes and runs held now.
  size_t relayBytes() const { return relay_.bytes(); }
  size_t relayRuns() const { return relay_.runs(); }

 private:
  // Checks a hello (protocol version, network, the claimed node id) and hands it to the part
  // of the link's role; a refused one is counted and answered with bye.
  void onHello(LinkId link, LinkState& state, const wire::Hello& hello);

  // Declared in construction order: each part holds references to those before it.
  SyncContext context_;
  ForkGuard forks_;
  BodyPump bodies_;
  RelayBuffer relay_;
  Puller puller_;
  Server server_;
  SyncStatus status_;
  // Feeds with runs taken since the last flushAnnouncements(), with the transport keys of the
  // peers the runs came from. At most the feeds held, each with the configured peers.
  std::map<PublicKey, std::set<std::string>> pending_announcements_;
};

}  // namespace eichub::sync
