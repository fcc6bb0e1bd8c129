// Publisher: turns catalogue changes into signed updates of the node's own feed and stores them
// in batches, skipping what is unchanged.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "federation/crypto/ed25519_key.h"
#include "node/catalog/change.h"
#include "node/store/catalog_store.h"

namespace eichub::publish {

// Updates stored at a time: the signed updates are applied to the store in batches of this
// many, so that storing overlaps signing and the last batch, stored after the last signature,
// is a short tail. Batches share the publish's write transaction, so a small one costs little:
// node_bench publishes ESCO at 0.87-0.91 x the sign rate with 256, 0.82-0.86 x with 1024.
inline constexpr size_t kPublishBatchUpdates = 256;
// The batches of one publish go into one write transaction (store::ApplySession) until it holds
// this many updates or bytes: one commit for an ESCO import (18,162 updates, 36 MiB), so the
// store's random-keyed indexes are copied once rather than at every batch, which would leave a
// data file 1.63 x the feed's bytes instead of about 1.25 x (docs/benchmarks.md "Disk"). The
// bound keeps the memory of the kept batches, LMDB's dirty pages, the work a crash or a
// refused update undoes, and the time other writers wait for the write lock (about 5 s of
// publishing at the measured rate) bounded.
inline constexpr size_t kPublishTxnMaxUpdates = 65536;
inline constexpr size_t kPublishTxnMaxBytes = 64u << 20;

struct PublishSummary {
  uint64_t added = 0;      // new records
  uint64_t changed = 0;    // records whose content changed
  uint64_t unchanged = 0;  // same content as held: nothing written
  uint64_t deleted = 0;    // tombstones written
  uint64_t erased = 0;     // erases written (each drops a record's bodies everywhere)
  uint64_t skipped = 0;    // filled in by callers that skipped bad input
  uint64_t batches = 0;    // write transactions committed (kPublishTxnMaxUpdates)
  uint64_t written() const { return added + changed + deleted + erased; }
};

// (done, total) changes examined so far.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;
// Milliseconds since the epoch; injected so tests are deterministic.
using ClockFn = std::function<int64_t()>;
int64_t systemClockMs();

// Signs and stores changes in order, in batches of up to kPublishBatchUpdates, in write
// transactions of up to kPublishTxnMaxUpdates / kPublishTxnMaxBytes, all or nothing each. A later
// change to the same (kind, id) in the same call wins. A delete of a record that does not exist (or
// is already deleted) is counted unchanged. An erase names every upsert of its record whose body no
// earlier erase named (read once per call from the feed: StoreQueries::erasableVersions), and is
// counted unchanged when there is none. Errors from the store are returned as they are;
// transactions committed before stay committed. While a transaction is open other writers wait
// (store::ApplySession).
Result<PublishSummary> publishChanges(store::CatalogStore& store, const crypto::SigningKey& key,
                                      const std::string& network,
                                      const std::vector<catalog::Change>& changes,
                                      const ProgressFn& progress = {},
                                      const ClockFn& clock = systemClockMs);

}  // namespace eichub::publish
