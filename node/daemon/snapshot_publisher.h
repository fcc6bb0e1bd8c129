// SnapshotPublisher: the NodeSnapshot the HTTP threads read (reactor thread side). It owns the
// board the snapshots go to and decides when the next is due (snapshotGapMs). A snapshot reads
// every feed's head and every link's view of it: at 250 nodes, rebuilt ten times a second by
// every daemon while nobody looked, it was most of the network's CPU during a cold start.
#pragma once

#include <cstdint>

#include "node/daemon/daemon_view.h"
#include "node/http/node_snapshot.h"

namespace eichub::daemon {

// While anything happens and the snapshot is read, it is at most this old.
inline constexpr int64_t kSnapshotMs = 100;
// While anything happens and nobody read the last snapshot, the next waits this long: the first
// read after a quiet spell sees a snapshot at most this old, and reads after it kSnapshotMs.
inline constexpr int64_t kUnreadSnapshotMs = 1'000;
// With nothing happening, the snapshot's clock-driven fields (idle and lag seconds, stale
// feeds) are brought up to date this often.
inline constexpr int64_t kIdleSnapshotMs = 5'000;

// The time from one snapshot to the next: stale when something happened since it, read when an
// HTTP thread read it.
constexpr int64_t snapshotGapMs(bool stale, bool read) {
  if (!stale) return kIdleSnapshotMs;
  return read ? kSnapshotMs : kUnreadSnapshotMs;
}

class SnapshotPublisher {
 public:
  // Shared with the HTTP threads, which must stop before the publisher is destroyed.
  http::SnapshotBoard& board() { return board_; }

  // Something happened (a message, a signal, a timer): the next snapshot is due sooner.
  void markStale() { stale_ = true; }
  // When the next snapshot is due.
  int64_t dueMs() const { return taken_ms_ + snapshotGapMs(stale_, board_.readSincePublish()); }
  // Copies what the HTTP threads may show (links, feeds, counters) to the board.
  void publish(const DaemonView& view);

 private:
  http::SnapshotBoard board_;
  uint64_t tick_ = 0;
  int64_t taken_ms_ = 0;
  bool stale_ = false;  // something happened since the last snapshot
};

}  // namespace eichub::daemon
