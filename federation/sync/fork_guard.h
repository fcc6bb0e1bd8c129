// ForkGuard: the engine's fork part (docs/reliability.md case 12). Compares the heads peers
// announce with ours and probes where they may differ (ForkWatch), turns a conflicting signed
// header into a fork proof, checks every proof received, keeps it (which freezes the feed) and
// spreads it to every peer, once per link and proof. Not thread-safe: the engine's thread owns it.
#pragma once

#include <cstdint>
#include <functional>

#include "federation/feed/update.h"
#include "federation/sync/fork_watch.h"
#include "federation/sync/sync_context.h"
#include "federation/wire/messages.h"

namespace eichub::sync {

class ForkGuard {
 public:
  // Called when a proof froze author's feed: nothing more of it is pulled.
  using FrozenFn = std::function<void(const PublicKey& author)>;
  // context must outlive the guard. Probes are forgotten after the want timeout.
  ForkGuard(SyncContext& context, FrozenFn on_frozen);

  // Split view (case 12): compares a peer's announced head with ours, asks for the header at a
  // seq where they may differ, and offers our proof when we froze the feed.
  void watchHead(LinkId link, const wire::HeadInfo& head);
  // Sends link the proof that froze author's feed, once per proof.
  void offerProof(LinkId link, const PublicKey& author);
  // Asks link for its header at seq (a want of one header), unless that probe is outstanding.
  void probeFork(LinkId link, const PublicKey& author, uint64_t seq);
  // True when update (a run of one) answers a probe sent on link; it is then compared with
  // our header at its seq here, and is no run to store.
  bool answerProbe(LinkId link, const feed::VerifiedUpdate& update);
  // A peer sent a valid header at a seq we hold with different bytes: build and spread a proof,
  // and probe the seq before it while the branches still differ there.
  // ours is the update held at that seq.
  void forkSeen(LinkId link, const feed::VerifiedUpdate& theirs, const feed::SignedUpdate& ours);
  // theirs (signature checked, trusted) is the seq after our head but its prev is not our head's
  // hash: the proof (theirs, our header before it) freezes the feed after our head (12c).
  void chainBreakSeen(LinkId link, const feed::VerifiedUpdate& theirs);
  // A proof a peer sent, or one built here. Refused (invalid fork proof) unless both headers
  // are signed by one author and conflict. Kept when the feed is trusted and not frozen, or
  // when it shows an earlier fork point than the one kept; a peer that sent a later one is
  // sent ours.
  void onFork(LinkId link, const wire::ForkProof& proof);
  void linkDown(LinkId link) { watch_.linkDown(link); }
  uint64_t probesSent() const { return watch_.probesSent(); }

 private:
  SyncContext& context_;
  FrozenFn on_frozen_;
  ForkWatch watch_;
};

}  // namespace eichub::sync
