// SyncOptions: the sync engine's settings, which every part of the engine reads, and the
// roles of a link.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "federation/common/bytes.h"
#include "federation/feed/update.h"

namespace eichub::sync {

using LinkId = uint64_t;

// kClient: our DEALER to a peer's ROUTER (we pull); kServer: a peer's DEALER at our ROUTER (we
// serve).
enum class Role { kClient, kServer };

// Whether this node keeps the body of an upsert with this header (selective sync). The node
// supplies it (federation/ knows no catalogue tags); an empty filter keeps every body.
using BodyFilter = std::function<bool(const feed::HeaderFields&)>;

// What a server keeps sent on one link past what its client's wants state it holds, over every
// feed (CreditLedger, Server): four full updates messages (wire::kMaxBatchBytes), so a client
// reads one while three are on the way, and 64 records of the largest body. A peer that asks
// and never reads costs the server about this much, not what it asked for (issue 17, finding 4).
inline constexpr uint64_t kServeBudgetBytes = 16 << 20;

// Per feed pulled, the updates asked for and not yet committed are at most this many want
// credits (Puller::pullIfBehind): the bound on what a writer that is behind leaves waiting.
inline constexpr uint64_t kUncommittedWantCredits = 4;

struct SyncOptions {
  std::string network;
  PublicKey node_id{};
  uint32_t want_credit = 4096;      // updates one want asks for; at most 2x this asked and not
                                    // received per feed, kUncommittedWantCredits x not committed
  uint64_t reject_limit = 64;       // rejections on a link before it is throttled
  int64_t throttle_ms = 30'000;     // how long a throttled link's messages are ignored
  int64_t want_timeout_ms = 5'000;  // a want with no answer this long is asked again
  uint64_t serve_budget_bytes = kServeBudgetBytes;  // as a server, per link (kServeBudgetBytes)
  // The bodies this node keeps; the rest of every feed is held as headers (selective sync).
  // Empty: every body, and wants ask for bodies with their headers (a full node).
  BodyFilter wants_body;
  // The least wait after the store refused a batch (disk or map full); at least the re-ask gap.
  int64_t store_retry_ms = 1'000;
  // A feed behind what a peer announced that has not advanced this long is stale (status).
  int64_t stale_after_ms = 15'000;
  // Whether the node id a hello claims belongs to the peer authenticated by transport key
  // peer_key (docs/reliability.md case 25): the session's identity is its CURVE key, never the
  // claim. A hello it refuses is counted (identity_mismatch) and answered with bye. Empty: not
  // checked.
  std::function<bool(const std::string& peer_key, const PublicKey& node_id)> identity_matches;
  // Whether the heads of runs received are announced at flushAnnouncements(), once per feed,
  // instead of as each run is taken. The daemon flushes after it has read every message of one
  // wake: a neighbour's push of the same head read in that wake then tells the server it holds
  // it (Server::peerHolds), and the head is not pushed back to it. Off: at once (tests).
  bool announce_after_reads = false;
};

// A push (updates sent without a want, SyncEngine) carries at most this many updates and bytes:
// a live run is a few updates, and a peer further behind is told with have and pulls under
// credit. The receiver refuses larger pushes ("push too large"), so an unsolicited push costs
// it no more than a small pulled run.
inline constexpr size_t kMaxPushUpdates = 64;
inline constexpr size_t kMaxPushBytes = 1 << 20;

// Work that waits on a queue draining, which raises no event for the engine (serves deferred
// for byte-budget room, body fetches), is looked at again this often (SyncEngine::nextTickMs).
inline constexpr int64_t kBusyRecheckMs = 100;

// A re-ask of updates a server already sent on a link is served only this long after its last
// answer there (CreditLedger): an honest client re-asks after a want timeout.
inline int64_t reaskGapMs(const SyncOptions& options) { return options.want_timeout_ms / 2; }

}  // namespace eichub::sync
