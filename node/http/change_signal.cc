// ChangeSignal: a counter under a mutex and a condition variable.
#include "node/http/change_signal.h"

namespace eichub::http {

uint64_t ChangeSignal::current() const {
  std::lock_guard lock(mu_);
  return count_;
}

void ChangeSignal::notify() {
  {
    std::lock_guard lock(mu_);
    ++count_;
  }
  changed_.notify_all();
}

bool ChangeSignal::waitPast(uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return stopped_ || count_ > seen; });
  return !stopped_;
}

void ChangeSignal::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  changed_.notify_all();
}

}  // namespace eichub::http
