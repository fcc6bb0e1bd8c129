// waitFor: polls a condition until it holds or a deadline passes (tests never sleep to
// synchronise).
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

namespace eichub::testing {

// True once pred() is true; false if timeout passed first. Between checks it sleeps 20 ms, or
// twice what the last check took if that is longer: most conditions start CLI processes
// (`eichub digest`, `status --json`), which cost 40 ms of CPU each in the gcc build and 160 ms
// under AddressSanitizer, so polling at a fixed 20 ms kept a core busy and slowed the daemons
// the test waits for. This way a check uses at most a third of the wall time.
inline bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  using std::chrono::steady_clock;
  const auto deadline = steady_clock::now() + timeout;
  while (true) {
    const auto check_start = steady_clock::now();
    if (pred()) return true;
    const auto now = steady_clock::now();
    if (now > deadline) return false;
    const auto pause =
        std::max<steady_clock::duration>(std::chrono::milliseconds(20), 2 * (now - check_start));
    std::this_thread::sleep_for(std::min<steady_clock::duration>(pause, deadline - now));
  }
}

}  // namespace eichub::testing
