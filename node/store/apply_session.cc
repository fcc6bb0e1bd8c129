// ApplySession: applies batches into one write txn, replaying them after a map growth.
#include "node/store/apply_session.h"

#include "node/store/internal/store_impl.h"

namespace eichub::store {

Result<std::unique_ptr<ApplySession>> CatalogStore::beginApplySession() {
  std::unique_ptr<ApplySession> session(new ApplySession(*impl_));
  EICHUB_RETURN_IF_ERROR(session->restart());
  return session;
}

ApplySession::~ApplySession() = default;  // an uncommitted txn aborts

Status ApplySession::restart() {
  for (;;) {
    EICHUB_ASSIGN_OR_RETURN(WriteTxn txn, impl_.env->beginWrite());
    txn_ = std::make_unique<WriteTxn>(std::move(txn));
    Status status;
    for (const auto& batch : batches_) {
      ApplyStats ignored;
      status = internal::applyBatch(*txn_, batch, impl_, ignored);
      if (!status.ok()) break;
    }
    if (status.ok()) return status;
    const bool map_full = txn_->mapFull();
    txn_.reset();  // aborts, and releases the shared resize lock growMap takes exclusively
    if (!map_full) return status;
    EICHUB_RETURN_IF_ERROR(impl_.env->growMap());
  }
}

Result<ApplyStats> ApplySession::apply(std::vector<feed::VerifiedUpdate> batch) {
  if (!failed_.ok()) return failed_;
  if (!txn_) return Status::InvalidArgument("apply session", "already committed");
  for (;;) {
    ApplyStats stats;
    Status status = internal::applyBatch(*txn_, batch, impl_, stats);
    if (status.ok()) {
      updates_ += batch.size();
      for (const feed::VerifiedUpdate& update : batch) {
        const feed::SignedUpdate& signed_update = update.signed_update;
        bytes_ += signed_update.header.size() + signed_update.signature.size() +
                  signed_update.body.size();
      }
      batches_.push_back(std::move(batch));
      return stats;
    }
    const bool map_full = txn_->mapFull();
    txn_.reset();
    if (!map_full) return failed_ = status;
    if (Status grown = impl_.env->growMap(); !grown.ok()) return failed_ = grown;
    if (Status restarted = restart(); !restarted.ok()) return failed_ = restarted;
  }
}

Status ApplySession::commit() {
  if (!failed_.ok()) return failed_;
  if (!txn_) return Status::InvalidArgument("apply session", "already committed");
  for (;;) {
    Status status = txn_->commit();
    const bool map_full = txn_->mapFull();
    txn_.reset();
    if (status.ok() || !map_full) {
      batches_.clear();
      if (!status.ok()) failed_ = status;
      return status;
    }
    if (Status grown = impl_.env->growMap(); !grown.ok()) return failed_ = grown;
    if (Status restarted = restart(); !restarted.ok()) return failed_ = restarted;
  }
}

}  // namespace eichub::store
