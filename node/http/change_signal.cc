// ChangeSignal: a counter under a mutex and a condition variable.
#include "node/http/change_signal.h"

namespace eichub::http {

uint64_t ChangeSignal::current() const {
  MutexLock lock(mu_);
  return count_;
}

void ChangeSignal::notify() {
  {
    MutexLock lock(mu_);
    ++count_;
  }
  changed_.notify_all();
}

bool ChangeSignal::waitPast(uint64_t seen, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  MutexLock lock(mu_);
  while (!stopped_ && count_ <= seen) {
    if (!lock.waitUntil(changed_, deadline)) break;
  }
  return !stopped_;
}

void ChangeSignal::stop() {
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
}

}  // namespace eichub::http
