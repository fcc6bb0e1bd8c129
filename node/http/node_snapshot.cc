// SnapshotBoard: one mutex, one condition variable.
#include "node/http/node_snapshot.h"

namespace eichub::http {

void SnapshotBoard::publish(NodeSnapshot snapshot) {
  auto next = std::make_shared<const NodeSnapshot>(std::move(snapshot));
  {
    MutexLock lock(mu_);
    current_ = std::move(next);
  }
  changed_.notify_all();
}

std::shared_ptr<const NodeSnapshot> SnapshotBoard::get() const {
  MutexLock lock(mu_);
  return current_;
}

bool SnapshotBoard::waitAfter(uint64_t tick, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (!stopped_ && current_->tick <= tick) {
    if (!lock.waitUntil(changed_, deadline)) break;
  }
  return !stopped_;
}

void SnapshotBoard::stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
}

}  // namespace eichub::http
