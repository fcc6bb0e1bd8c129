// ChangeSignal: a counter of applied batches that change-feed long polls wait on, so that a
// waiting request answers as soon as a batch lands instead of at the next reactor tick.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>

#include "federation/common/mutex.h"

namespace eichub::http {

// Thread-safe. The daemon's writer thread (and the reactor, for writes made by other processes)
// calls notify() after each commit that may add changes; HTTP threads wait with waitPast().
// Lock order: mu_ is a leaf (nothing else is locked while it is held).
class ChangeSignal {
 public:
  // The number of notify() calls so far. A waiter reads it before it reads the store, so that a
  // batch committed between the two wakes it.
  uint64_t current() const EICHUB_EXCLUDES(mu_);
  // Says that a batch was applied and wakes every waiter.
  void notify() EICHUB_EXCLUDES(mu_);
  // Waits until current() > seen, timeout passes, or stop() ran. Returns false once stop() ran:
  // waiters should answer at once.
  bool waitPast(uint64_t seen, std::chrono::milliseconds timeout) const EICHUB_EXCLUDES(mu_);
  // Wakes every waiter for good (daemon shutdown).
  void stop() EICHUB_EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  mutable std::condition_variable changed_;
  uint64_t count_ EICHUB_GUARDED_BY(mu_) = 0;
  bool stopped_ EICHUB_GUARDED_BY(mu_) = false;
};

}  // namespace eichub::http
