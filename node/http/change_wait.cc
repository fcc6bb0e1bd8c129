// The change feed's long poll: read, wait for the applied-batch signal, read again.
#include "node/http/change_wait.h"

#include <algorithm>

namespace eichub::http {

Result<std::vector<store::ChangeEntry>> waitForChanges(const store::CatalogStore& store,
                                                       const ChangeSignal& signal, uint64_t since,
                                                       size_t limit,
                                                       std::chrono::milliseconds timeout,
                                                       std::chrono::milliseconds recheck) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Read before the store: a batch committed between the two reads then ends the wait at once.
  uint64_t seen = signal.current();
  auto changes = store.queries().changes(since, limit);
  while (changes.ok() && changes->empty()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (!signal.waitPast(seen, std::min(left, recheck))) break;  // the daemon is stopping
    seen = signal.current();
    changes = store.queries().changes(since, limit);
  }
  return changes;
}

}  // namespace eichub::http
