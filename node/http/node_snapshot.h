// NodeSnapshot: what the reactor knows of peers and sync, copied when read for the HTTP threads,
// which never touch the reactor's sockets or sync engine (docs/architecture.md "Threads").
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/mutex.h"

namespace eichub::http {

// One feed's head as a peer announced it to this node.
struct PeerHeadSnapshot {
  std::string author;  // hex
  uint64_t seq = 0;
  uint64_t accepted_seq = 0;   // seq capped at what this node's trust accepts (0: not accepted)
  int64_t ahead_since_ms = 0;  // since when accepted_seq passed this node's head; 0: it has not
};

// Where a feed comes from, as this node knows it (empty when not known).
struct Origin {
  std::string name;
  std::string region;
};

// One peer link as the sync engine sees it.
struct LinkSnapshot {
  std::string peer_key;  // CURVE key (Z85)
  std::string node_id;   // hex, when the key belongs to a configured peer
  std::string endpoint;  // the peer's endpoint, for client links
  std::string role;      // "client" (we connect) or "server" (it connects to us)
  bool up = false;
  int64_t last_seen_ms = 0;
  uint64_t updates_received = 0;
  uint64_t updates_applied = 0;
  uint64_t updates_sent = 0;
  uint64_t rejected = 0;
  std::map<std::string, uint64_t> rejected_by_reason;
  bool throttled = false;
  // Client links only: the peer's heads from its hello and have messages (a node knows its
  // direct peers' heads, not theirs). heads_known is false until the peer's hello arrived.
  bool heads_known = false;
  std::vector<PeerHeadSnapshot> heads;
};

// One feed: what we hold and the best any peer announced.
struct FeedSnapshot {
  std::string author;  // hex
  uint64_t local_seq = 0;
  uint64_t best_remote_seq = 0;
  bool frozen = false;    // a fork proof froze it
  bool withheld = false;  // behind what a peer announced and not advancing (case 14)
};

// A trusted feed reported stale at snapshot time, by the node's clock (policy/staleness.h).
struct StaleSnapshot {
  std::string author;  // hex
  std::string role;    // root, direct, member, vendor
  std::string reason;  // expired, delegation_expired, silent
  int64_t since_ms = 0;
};

struct SentSnapshot {
  uint64_t messages = 0;
  uint64_t bytes = 0;
};

struct NodeSnapshot {
  int64_t taken_ms = 0;
  uint64_t tick = 0;  // increases with every snapshot
  bool listening = false;
  bool catching_up = false;
  uint64_t pending_updates = 0;
  uint64_t zap_admitted = 0;
  uint64_t zap_refused = 0;
  uint64_t dropped_sends = 0;
  uint64_t batches_applied = 0;
  uint64_t batches_failed = 0;
  uint64_t heap_trims = 0;       // freed heap returned to the system on going idle (idle_trim.h)
  uint64_t trust_refreshes = 0;  // trust rederived from the store (daemon::Admission)
  std::string endpoint;          // bound peer endpoint
  std::vector<LinkSnapshot> links;
  std::vector<FeedSnapshot> feeds;
  std::vector<StaleSnapshot> stale;
  // Messages and bytes sent to peers since start, by message type (hello, want, updates, ...).
  std::map<std::string, SentSnapshot> sent_by_type;
  // Updates past this node's own byte budget, not stored, by author (hex): reason local_budget.
  std::map<std::string, uint64_t> over_local_budget;
  // Names and regions by author (hex), from this node's config and the trust records held.
  std::map<std::string, Origin> origins;
};

// How long a reader waits for the reactor to bring the snapshot up to date before it takes the
// one there (a reactor busy with a long batch).
inline constexpr int64_t kFreshSnapshotWaitMs = 500;
// A snapshot older than this is brought up to date when read even if nothing happened since:
// its clock-driven fields (idle and lag seconds, stale feeds) move on their own.
inline constexpr int64_t kSnapshotMaxAgeMs = 5'000;

// The latest snapshot, swapped under a mutex, built when someone reads it. Thread-safe. The
// reactor marks it behind whenever anything happens; a reader that finds it behind, or older
// than kSnapshotMaxAgeMs, asks the reactor for a new one and waits for it (at most
// kFreshSnapshotWaitMs). A daemon nobody reads builds no snapshot: at 250 nodes, building one
// after every update for nobody cost each daemon more than verifying and storing the update.
class SnapshotBoard {
 public:
  SnapshotBoard();

  // Reactor side, before any reader: how a reader wakes the reactor (called from reader
  // threads; must not block). Without it readers take the snapshot that is there.
  void setAsk(std::function<void()> ask) { ask_ = std::move(ask); }
  // Reactor side: replaces the snapshot and hands it to the readers waiting for it.
  void publish(NodeSnapshot snapshot) EICHUB_EXCLUDES(mu_);
  // Reactor side: something happened since the latest publish().
  void markBehind() { behind_.store(true, std::memory_order_relaxed); }
  // Reactor side: a reader waits for a new snapshot.
  bool asked() const { return asked_.load(std::memory_order_relaxed); }
  // The latest snapshot, first brought up to date if it is behind (see above); never null. The
  // pointer stays valid as long as it is held (shared between the board and readers).
  std::shared_ptr<const NodeSnapshot> get() const EICHUB_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;  // a leaf: nothing else is locked while it is held
  mutable std::condition_variable published_;
  std::shared_ptr<const NodeSnapshot> current_ EICHUB_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point published_at_ EICHUB_GUARDED_BY(mu_);
  uint64_t publishes_ EICHUB_GUARDED_BY(mu_) = 0;
  std::function<void()> ask_;  // set before the readers start
  std::atomic<bool> behind_{true};
  mutable std::atomic<bool> asked_{false};
};

}  // namespace eichub::http
