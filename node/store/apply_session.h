// ApplySession: one write transaction that several batches of verified updates extend, committed
// once. A bulk publish (an ESCO or CSV import) uses it so that the store's random-keyed indexes
// (records, by_id, text, skill_index: ids and terms arrive in no order) are copied once, not at
// every batch: each commit would rewrite most of their pages and leave the old copies as free
// pages the data file keeps (docs/benchmarks.md "Disk").
//
// While it is open it holds LMDB's write lock, in every process: other writers (the daemon's
// Writer, other CLI commands) wait until commit() or the destructor, which aborts. The thread
// that opened it may read the store meanwhile (reads do not see its batches) but must not write
// through the store's writer, which would wait for the lock it holds.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/store/lmdb_env.h"
#include "node/store/prepared_body.h"
#include "node/store/store_types.h"

namespace eichub::store {

namespace internal {
struct StoreImpl;
}  // namespace internal

// Begun by StoreWriter::beginApplySession.
class ApplySession {
 public:
  ~ApplySession();
  ApplySession(const ApplySession&) = delete;
  ApplySession& operator=(const ApplySession&) = delete;

  // Applies batch inside the transaction, as StoreWriter::apply checks and stores it, after the
  // batches applied before, and keeps it (moved from the argument). On MDB_MAP_FULL the
  // transaction is aborted, the map grown and every batch applied again from the start: the
  // session keeps them (updates() and bytes() say how much), so the caller bounds a session by
  // committing. Any other error leaves batch with the caller and the session failed: nothing of
  // it is committed and later calls return the same error. prepared: empty, or one PreparedBody
  // per update of batch, used for this call only (a replay does that work again).
  Result<ApplyStats> apply(std::vector<feed::VerifiedUpdate>&& batch,
                           const std::vector<PreparedBody>& prepared = {});
  // Commits every batch applied. Errors: the session's failure, lmdbStatus. The session is
  // finished afterwards whatever the outcome.
  Status commit();
  // The batches kept and not committed, in the order applied (after a failure, to apply them
  // some other way); the session keeps none afterwards.
  std::vector<std::vector<feed::VerifiedUpdate>> takeBatches();

  size_t updates() const { return updates_; }
  // Header, signature and body bytes of the batches kept.
  size_t bytes() const { return bytes_; }

 private:
  friend class StoreWriter;
  explicit ApplySession(internal::StoreImpl& impl) : impl_(impl) {}
  // Begins the transaction and applies every kept batch in it (none at the start; all of them
  // after a map growth). Errors: lmdbStatus, applyBatch's (MDB_MAP_FULL sets txn_->mapFull()).
  Status beginAndReplay();
  // After an operation of the transaction failed with failure: a full map is grown and the kept
  // batches applied again in a new transaction (OK, go on); anything else fails the session and
  // is returned.
  Status recover(Status failure);

  internal::StoreImpl& impl_;
  std::unique_ptr<WriteTxn> txn_;
  std::vector<std::vector<feed::VerifiedUpdate>> batches_;
  size_t updates_ = 0;
  size_t bytes_ = 0;
  Status failed_;
};

}  // namespace eichub::store
