// restate: the state rebuild. Recomputes one author's record state from its feed's valid
// prefix, so that a cut-off learnt after the updates it cuts leaves the state as if learnt
// first (trust calls it when a revocation or removal arrives late).
#pragma once

#include <cstdint>
#include <functional>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/store/catalog_store.h"

namespace eichub::store {

// Makes author's record state in store exactly what its feed's valid prefix gives: updates
// 1..P, where P + 1 is the first held update valid() refuses (or P is the head). Records whose
// state came from a later update go back to the newest update <= P that touched them, or
// leave the state when none did; records of the prefix missing from the state come back.
// Headers stay stored. One write transaction. Returns P. Errors: lmdbStatus, Corruption.
Result<uint64_t> restate(CatalogStore& store, const PublicKey& author,
                         const std::function<bool(const feed::HeaderFields&)>& valid);

}  // namespace eichub::store
