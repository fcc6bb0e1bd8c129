// SyncStatus: the engine's reports for status, metrics and the dashboard: each link's counters,
// the heads each client link's peer announced and since when they are ahead of us, and each
// feed's sync state (behind a peer, stale). Reads the links and pulls; changes nothing else.
// Not thread-safe: the engine's thread owns it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "federation/sync/puller.h"
#include "federation/sync/sync_context.h"

namespace eichub::sync {

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

class SyncStatus {
 public:
  // context and puller must outlive the status.
  SyncStatus(SyncContext& context, const Puller& puller) : context_(context), puller_(puller) {}

  // Every link's counters, in link order.
  std::vector<LinkStats> linkStats() const;
  // The heads each client link's peer announced, compared with the store's heads to keep each
  // feed's ahead_since_ms (first noticed at the call after the announcement, so call it
  // regularly). Errors: the store's.
  Result<std::vector<PeerHeads>> peerHeads();
  // Every feed held or announced, in author order. Errors: the store's.
  Result<std::vector<FeedSyncState>> feedStates();
  // The link went down: what it announced is forgotten, and so is since when it was ahead.
  void linkDown(LinkId link) { ahead_since_ms_.erase(link); }

 private:
  SyncContext& context_;
  const Puller& puller_;
  // Per client link, the feeds where it announced more than we hold, and since when.
  std::map<LinkId, std::map<PublicKey, int64_t>> ahead_since_ms_;
};

}  // namespace eichub::sync
