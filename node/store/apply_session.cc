// ApplySession: applies batches into one write txn, replaying them after a map growth.
#include "node/store/apply_session.h"

#include "node/store/internal/store_impl.h"

namespace eichub::store {

ApplySession::~ApplySession() = default;  // an uncommitted txn aborts

Status ApplySession::beginAndReplay() {
  EICHUB_ASSIGN_OR_RETURN(WriteTxn txn, impl_.env->beginWrite());
  txn_ = std::make_unique<WriteTxn>(std::move(txn));
  for (const auto& batch : batches_) {
    ApplyStats ignored;
    EICHUB_RETURN_IF_ERROR(internal::applyBatch(*txn_, batch, nullptr, impl_, ignored));
  }
  return Status::OK();
}

Status ApplySession::recover(Status failure) {
  for (;;) {
    const bool map_full = txn_ != nullptr && txn_->mapFull();
    txn_.reset();  // aborts, and releases the shared resize lock growMap takes exclusively
    if (!map_full) return failed_ = failure;
    if (Status grown = impl_.env->growMap(); !grown.ok()) return failed_ = grown;
    failure = beginAndReplay();
    if (failure.ok()) return failure;
  }
}

Result<ApplyStats> ApplySession::apply(std::vector<feed::VerifiedUpdate>&& batch,
                                       const std::vector<PreparedBody>& prepared) {
  if (!failed_.ok()) return failed_;
  if (!txn_) return Status::InvalidArgument("apply session", "already committed");
  for (;;) {
    ApplyStats stats;
    Status status =
        internal::applyBatch(*txn_, batch, prepared.empty() ? nullptr : &prepared, impl_, stats);
    if (!status.ok()) {
      EICHUB_RETURN_IF_ERROR(recover(std::move(status)));
      continue;  // the kept batches are in again: apply this one after them
    }
    updates_ += batch.size();
    bytes_ += feed::signedBytes(batch);
    batches_.push_back(std::move(batch));
    return stats;
  }
}

std::vector<std::vector<feed::VerifiedUpdate>> ApplySession::takeBatches() {
  std::vector<std::vector<feed::VerifiedUpdate>> out;
  out.swap(batches_);
  return out;
}

Status ApplySession::commit() {
  if (!failed_.ok()) return failed_;
  if (!txn_) return Status::InvalidArgument("apply session", "already committed");
  for (;;) {
    Status status = txn_->commit();
    if (status.ok()) {
      txn_.reset();
      batches_.clear();
      return status;
    }
    EICHUB_RETURN_IF_ERROR(recover(std::move(status)));
  }
}

}  // namespace eichub::store
