// SnapshotBoard: one mutex and a read flag.
#include "node/http/node_snapshot.h"

namespace eichub::http {

void SnapshotBoard::publish(NodeSnapshot snapshot) {
  auto next = std::make_shared<const NodeSnapshot>(std::move(snapshot));
  MutexLock lock(mu_);
  current_ = std::move(next);
  read_.store(false, std::memory_order_relaxed);
}

std::shared_ptr<const NodeSnapshot> SnapshotBoard::get() const {
  read_.store(true, std::memory_order_relaxed);
  MutexLock lock(mu_);
  return current_;
}

}  // namespace eichub::http
