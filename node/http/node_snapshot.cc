// SnapshotBoard: one mutex, one condition variable.
#include "node/http/node_snapshot.h"

namespace eichub::http {

void SnapshotBoard::publish(NodeSnapshot snapshot) {
  auto next = std::make_shared<const NodeSnapshot>(std::move(snapshot));
  {
    std::lock_guard lock(mu_);
    current_ = std::move(next);
  }
  changed_.notify_all();
}

std::shared_ptr<const NodeSnapshot> SnapshotBoard::get() const {
  std::lock_guard lock(mu_);
  return current_;
}

bool SnapshotBoard::waitAfter(uint64_t tick, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return stopped_ || current_->tick > tick; });
  return !stopped_;
}

void SnapshotBoard::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
}

}  // namespace eichub::http
