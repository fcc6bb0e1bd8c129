// SnapshotPublisher: the NodeSnapshot the HTTP threads read (reactor thread side). It owns the
// board the snapshots go to and decides when the next is due: within kSnapshotMs of anything
// happening, every kIdleSnapshotMs otherwise.
#pragma once

#include <cstdint>

#include "node/daemon/daemon_view.h"
#include "node/http/node_snapshot.h"

namespace eichub::daemon {

// While anything happens, the HTTP snapshot is at most this old.
inline constexpr int64_t kSnapshotMs = 100;
// With nothing happening, the snapshot's clock-driven fields (idle and lag seconds, stale
// feeds) are brought up to date this often; each snapshot reads every feed's head.
inline constexpr int64_t kIdleSnapshotMs = 5'000;

class SnapshotPublisher {
 public:
  // Shared with the HTTP threads, which must stop before the publisher is destroyed.
  http::SnapshotBoard& board() { return board_; }

  // Something happened (a message, a signal, a timer): the next snapshot is due within
  // kSnapshotMs.
  void markStale() { stale_ = true; }
  // When the next snapshot is due.
  int64_t dueMs() const { return taken_ms_ + (stale_ ? kSnapshotMs : kIdleSnapshotMs); }
  // Copies what the HTTP threads may show (links, feeds, counters) to the board.
  void publish(const DaemonView& view);

 private:
  http::SnapshotBoard board_;
  uint64_t tick_ = 0;
  int64_t taken_ms_ = 0;
  bool stale_ = false;  // something happened since the last snapshot
};

}  // namespace eichub::daemon
