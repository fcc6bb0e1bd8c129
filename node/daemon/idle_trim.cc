// IdleTrim::trimIfDue over glibc's malloc_trim.
#include "node/daemon/idle_trim.h"

#include <malloc.h>

namespace eichub::daemon {

bool IdleTrim::trimIfDue(int64_t now_ms) {
  if (trimmed_ || now_ms < last_active_ms_ + kIdleTrimMs) return false;
  malloc_trim(0);
  trimmed_ = true;
  ++trims_;
  return true;
}

}  // namespace eichub::daemon
