// IdleTrim: gives the heap a daemon freed back to the system once it goes quiet. node/main.cc
// raises M_TRIM_THRESHOLD so that catch-ups reuse their large buffers instead of mapping and
// unmapping them per message; without a trim an idle daemon would keep the peak of its last
// burst (docs/network.md "RSS"). One malloc_trim(0) per quiet period: glibc walks every arena
// and returns their free pages (madvise), a few milliseconds at most.
#pragma once

#include <cstdint>
#include <limits>

namespace eichub::daemon {

// A daemon this long without a message, signal or writer outcome trims its heap once.
inline constexpr int64_t kIdleTrimMs = 5'000;

class IdleTrim {
 public:
  // Something happened at now_ms: the next quiet period trims again.
  void active(int64_t now_ms) {
    last_active_ms_ = now_ms;
    trimmed_ = false;
  }
  // Returns freed heap to the system (malloc_trim) when quiet for kIdleTrimMs and not trimmed
  // since the last activity; true when it trimmed.
  bool trimIfDue(int64_t now_ms);
  // When a trim is next due; the largest int64_t once trimmed until the next activity.
  int64_t dueMs() const {
    return trimmed_ ? std::numeric_limits<int64_t>::max() : last_active_ms_ + kIdleTrimMs;
  }
  // Trims since start.
  uint64_t trims() const { return trims_; }

 private:
  int64_t last_active_ms_ = 0;
  bool trimmed_ = true;  // nothing to give back before the first activity
  uint64_t trims_ = 0;
};

}  // namespace eichub::daemon
