// SnapshotBoard: one mutex, a behind flag, and readers that ask for a snapshot and wait.
#include "node/http/node_snapshot.h"

namespace eichub::http {

SnapshotBoard::SnapshotBoard()
    : current_(std::make_shared<const NodeSnapshot>()),
      published_at_(std::chrono::steady_clock::now()) {}

void SnapshotBoard::publish(NodeSnapshot snapshot) {
  auto next = std::make_shared<const NodeSnapshot>(std::move(snapshot));
  {
    MutexLock lock(mu_);
    current_ = std::move(next);
    published_at_ = std::chrono::steady_clock::now();
    ++publishes_;
    // The reactor built it after everything it marked: nothing is behind it.
    behind_.store(false, std::memory_order_relaxed);
    asked_.store(false, std::memory_order_relaxed);
  }
  published_.notify_all();
}

std::shared_ptr<const NodeSnapshot> SnapshotBoard::get() const {
  MutexLock lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  const bool old = now - published_at_ >= std::chrono::milliseconds(kSnapshotMaxAgeMs);
  if (!ask_ || !(behind_.load(std::memory_order_relaxed) || old)) return current_;
  const uint64_t seen = publishes_;
  asked_.store(true, std::memory_order_relaxed);
  ask_();
  const auto deadline = now + std::chrono::milliseconds(kFreshSnapshotWaitMs);
  while (publishes_ == seen && lock.waitUntil(published_, deadline)) {
  }
  return current_;
}

}  // namespace eichub::http
