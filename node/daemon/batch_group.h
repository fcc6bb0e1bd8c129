// Group commit of sync batches: the ApplyBatch commands queued on the writer one behind another
// are applied in one write transaction and committed once, one fsync for all of them. During a
// cold start every node takes a run of every other node's feed: with a commit each, the 252
// daemons of a 250-node network spent the start waiting for the disk (docs/network.md). Only
// what is already queued is grouped, so no batch waits for another.
#pragma once

#include <cstddef>
#include <vector>

#include "federation/common/result.h"
#include "node/daemon/write_command.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

// Bounds of one group: a commit stays short, and the writer goes back to its other requests
// (HTTP publishes) between groups.
inline constexpr size_t kMaxGroupedBatches = 64;
inline constexpr size_t kMaxGroupedBytes = 8u << 20;

// Applies every batch of group, in order, in one write transaction and commits it: the stats of
// each. When a batch or the commit fails nothing is committed, every batch is back in group as
// it came, and the error is returned: the caller applies them one at a time, so that one bad
// batch fails alone.
Result<std::vector<store::ApplyStats>> applyInOneCommit(store::CatalogStore& store,
                                                        std::vector<ApplyBatch>& group);

}  // namespace eichub::daemon
