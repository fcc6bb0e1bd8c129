// MatchCache: rebuild on a change of feed heads, else reuse.
#include "node/match/match_cache.h"

namespace eichub::match {

Status MatchCache::refresh() {
  if (index_) {
    EICHUB_ASSIGN_OR_RETURN(bool current, index_->isCurrent(store_));
    if (current) return Status::OK();
  }
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<MatchIndex> built, MatchIndex::build(store_));
  index_ = std::move(built);
  aligner_.reset();
  return Status::OK();
}

Result<std::shared_ptr<const MatchIndex>> MatchCache::index() {
  MutexLock lock(mu_);
  EICHUB_RETURN_IF_ERROR(refresh());
  return index_;
}

Result<std::shared_ptr<const Aligner>> MatchCache::aligner() {
  MutexLock lock(mu_);
  EICHUB_RETURN_IF_ERROR(refresh());
  if (!aligner_) {
    EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<Aligner> built, Aligner::build(store_));
    aligner_ = std::move(built);
  }
  return aligner_;
}

}  // namespace eichub::match
