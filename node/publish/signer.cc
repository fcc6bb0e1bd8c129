// Signer: a queue in, a queue out, one thread between them.
#include "node/publish/signer.h"

#include "federation/feed/appender.h"

namespace eichub::publish {

Signer::Signer(const crypto::SigningKey& key) : key_(key), thread_([this] { run(); }) {}

Signer::~Signer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void Signer::submit(std::vector<feed::VerifiedUpdate> chunk) {
  {
    std::lock_guard lock(mutex_);
    unsigned_.push_back(std::move(chunk));
  }
  changed_.notify_all();
}

std::vector<feed::VerifiedUpdate> Signer::take() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !signed_.empty(); });
  std::vector<feed::VerifiedUpdate> chunk = std::move(signed_.front());
  signed_.pop_front();
  return chunk;
}

void Signer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stop_ || !unsigned_.empty(); });
    if (stop_) return;
    std::vector<feed::VerifiedUpdate> chunk = std::move(unsigned_.front());
    unsigned_.pop_front();
    lock.unlock();
    feed::signUpdates(key_, chunk);
    lock.lock();
    signed_.push_back(std::move(chunk));
    changed_.notify_all();
  }
}

}  // namespace eichub::publish
