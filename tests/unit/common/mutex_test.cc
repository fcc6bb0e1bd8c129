// Tests for Mutex and MutexLock (federation/common/mutex.h): exclusion, and waits on a
// condition variable that release the mutex while they wait.
#include "federation/common/mutex.h"

#include <chrono>
#include <condition_variable>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace eichub {
namespace {

struct Counter {
  Mutex mu;
  std::condition_variable changed;
  uint64_t value EICHUB_GUARDED_BY(mu) = 0;
  bool done EICHUB_GUARDED_BY(mu) = false;
};

TEST(MutexLockTest, IncrementsFromManyThreadsAreNotLost) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 100'000;
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counter] {
      for (int i = 0; i < kIncrements; ++i) {
        MutexLock lock(counter.mu);
        ++counter.value;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  MutexLock lock(counter.mu);
  EXPECT_EQ(counter.value, uint64_t{kThreads} * kIncrements);
}

TEST(MutexLockTest, WaitReleasesTheMutexUntilNotified) {
  Counter counter;
  // The setter can take the mutex only while the waiter waits: the waiter holds it otherwise.
  std::thread setter([&counter] {
    {
      MutexLock lock(counter.mu);
      counter.value = 42;
      counter.done = true;
    }
    counter.changed.notify_all();
  });
  {
    MutexLock lock(counter.mu);
    while (!counter.done) lock.wait(counter.changed);
    EXPECT_EQ(counter.value, 42u);
  }
  setter.join();
}

TEST(MutexLockTest, WaitUntilSaysWhetherTheDeadlinePassed) {
  Counter counter;
  MutexLock lock(counter.mu);
  EXPECT_FALSE(
      lock.waitUntil(counter.changed, std::chrono::steady_clock::now() - std::chrono::seconds(1)));
  std::thread setter([&counter] {
    {
      MutexLock inner(counter.mu);
      counter.done = true;
    }
    counter.changed.notify_all();
  });
  const auto far = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!counter.done) EXPECT_TRUE(lock.waitUntil(counter.changed, far));
  setter.join();
}

}  // namespace
}  // namespace eichub
