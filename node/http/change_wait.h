// The change feed's long poll: reads this node's changes after a cursor and, while there are
// none, waits for the writer's signal that a batch was applied.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "federation/common/result.h"
#include "node/http/change_signal.h"
#include "node/store/catalog_store.h"

namespace eichub::http {

// Writes by other processes (`eichub feed import`, a publish whose notify was lost) wake no
// waiter: a waiting long poll reads the store again this often to see them.
inline constexpr std::chrono::milliseconds kForeignWriteCheckMs{1000};

// Returns the changes after since (at most limit, as StoreQueries::changes). When there are
// none, waits until signal is notified and the store holds some, timeout passes, or the signal
// is stopped, reading the store again at least every recheck; then returns what the store holds
// (possibly nothing). Blocks the calling thread; thread-safe. Errors: as StoreQueries::changes.
Result<std::vector<store::ChangeEntry>> waitForChanges(
    const store::CatalogStore& store, const ChangeSignal& signal, uint64_t since, size_t limit,
    std::chrono::milliseconds timeout, std::chrono::milliseconds recheck = kForeignWriteCheckMs);

}  // namespace eichub::http
