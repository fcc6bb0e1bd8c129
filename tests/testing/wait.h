// waitFor: polls a condition until it holds or a deadline passes (tests never sleep to
// synchronise).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace eichub::testing {

// True once pred() is true; false if timeout passed first. Polls every 20 ms.
inline bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace eichub::testing
