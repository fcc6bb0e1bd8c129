// SnapshotPublisher: the NodeSnapshot the HTTP threads read (reactor thread side). It owns the
// board the snapshots go to and builds one when a reader asks for it (http::SnapshotBoard). A
// snapshot reads every feed's head and every link's view of it: at 250 nodes, rebuilt after
// every update by every daemon whether anyone looked or not, it was a fifth of the CPU each
// update cost the network (docs/network.md).
#pragma once

#include <cstdint>
#include <limits>

#include "node/daemon/daemon_view.h"
#include "node/http/node_snapshot.h"

namespace eichub::daemon {

class SnapshotPublisher {
 public:
  // Shared with the HTTP threads, which must stop before the publisher is destroyed.
  http::SnapshotBoard& board() { return board_; }

  // Something happened (a message, a signal, a timer): the snapshot is behind.
  void markStale() { board_.markBehind(); }
  // When the next snapshot is due: at once when a reader asked for one, else never.
  int64_t dueMs() const { return board_.asked() ? 0 : std::numeric_limits<int64_t>::max(); }
  // Copies what the HTTP threads may show (links, feeds, counters) to the board.
  void publish(const DaemonView& view);
  // Snapshots built since start (eichub_snapshots_total).
  uint64_t published() const { return tick_; }

 private:
  http::SnapshotBoard board_;
  uint64_t tick_ = 0;
};

}  // namespace eichub::daemon
