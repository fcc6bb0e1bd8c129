// Several passes over the store's records in one read transaction (one consistent state), with
// a callback at the start of each pass: how the ELM export writes its sections in the order the
// schema wants while holding one record at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "federation/common/result.h"
#include "node/store/catalog_store.h"

namespace eichub::elm::internal {

// Visits the live records (bodies held) of kinds[0], then of kinds[1], ... in one read txn; a
// kind may repeat. begin(p) runs before pass p's records, for every pass, also an empty one.
// The first error of begin or visit stops the scan and is returned; else the store's errors.
using PassBegin = std::function<Status(size_t pass)>;
using PassVisit = std::function<Status(size_t pass, const store::RecordKey& key, ByteView body)>;
Status scanPasses(const store::CatalogStore& store, const std::vector<catalog::Kind>& kinds,
                  const PassBegin& begin, const PassVisit& visit);

}  // namespace eichub::elm::internal
