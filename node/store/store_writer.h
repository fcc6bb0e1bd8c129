// StoreWriter: the store's write path. apply() stores a batch of verified updates (headers,
// bodies, heads, record state, indexes, change entries) in one write transaction;
// beginApplySession() opens one that several batches extend (apply_session.h).
#pragma once

#include <memory>
#include <vector>

#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/store/store_types.h"

namespace eichub::store {

namespace internal {
struct StoreImpl;
}  // namespace internal

class ApplySession;

// Reached through CatalogStore::writer(), which owns it. Thread-safety: calls may come from
// several threads and processes; LMDB serialises them (each waits for the write lock).
class StoreWriter {
 public:
  explicit StoreWriter(internal::StoreImpl& impl) : impl_(impl) {}
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Applies verified updates in one write transaction: all or nothing. Updates must extend
  // their feed's head contiguously (seq == head+1, prev == head hash, time >= head time), in
  // order; an update already held with the same hash counts as a duplicate. A duplicate upsert
  // that brings the body of a header held without one stores (and indexes) that body when it
  // is its record's current version; otherwise the body is dropped (stale_bodies), so a body an
  // erase dropped never comes back. An erase drops the bodies of the upserts it names and
  // ends the record like a delete. A gap or a broken link, or an erase naming a seq that is not
  // an upsert of its record, fails the whole batch with InvalidArgument. A different header at
  // a held seq fails with Corruption("fork ..."). Grows the map on MDB_MAP_FULL and retries.
  Result<ApplyStats> apply(const std::vector<feed::VerifiedUpdate>& batch);
  // Begins a write transaction that several batches extend (apply_session.h): for bulk
  // publishes. Blocks while another writer, in any process, holds the write lock.
  // Errors: lmdbStatus, PermissionDenied (read-only).
  Result<std::unique_ptr<ApplySession>> beginApplySession();

 private:
  internal::StoreImpl& impl_;
};

}  // namespace eichub::store
