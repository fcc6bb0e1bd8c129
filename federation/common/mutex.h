// Mutex and MutexLock: std::mutex and a scoped lock that carry clang's thread-safety
// annotations (thread_annotations.h), so that state marked EICHUB_GUARDED_BY(mu_) is checked by
// the clang build. MutexLock also waits on a std::condition_variable; a wait's condition is
// written as a loop in the caller (a lambda would be analysed without the lock held).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "federation/common/thread_annotations.h"

namespace eichub {

class EICHUB_CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void lock() EICHUB_ACQUIRE() { mu_.lock(); }
  void unlock() EICHUB_RELEASE() { mu_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds mu from construction to destruction.
class EICHUB_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) EICHUB_ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() EICHUB_RELEASE() {}
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Waits until cv is notified (or wakes spuriously: callers check their condition in a loop).
  // The mutex is released while waiting and held again on return.
  void wait(std::condition_variable& cv) { cv.wait(lock_); }
  // As wait(), until deadline at the latest: false when the deadline passed.
  bool waitUntil(std::condition_variable& cv, std::chrono::steady_clock::time_point deadline) {
    return cv.wait_until(lock_, deadline) == std::cv_status::no_timeout;
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace eichub
