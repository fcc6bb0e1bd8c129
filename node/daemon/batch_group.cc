// applyInOneCommit over an ApplySession.
#include "node/daemon/batch_group.h"

#include "node/store/apply_session.h"

namespace eichub::daemon {

Result<std::vector<store::ApplyStats>> applyInOneCommit(store::CatalogStore& store,
                                                        std::vector<ApplyBatch>& group) {
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<store::ApplySession> session,
                          store.writer().beginApplySession());
  std::vector<store::ApplyStats> stats;
  stats.reserve(group.size());
  // Hands the batches the session kept back to group (a failed batch never left it).
  auto giveBack = [&] {
    std::vector<std::vector<feed::VerifiedUpdate>> kept = session->takeBatches();
    for (size_t i = 0; i < kept.size(); ++i) group[i].batch = std::move(kept[i]);
  };
  for (ApplyBatch& command : group) {
    Result<store::ApplyStats> applied = session->apply(std::move(command.batch));
    if (!applied.ok()) {
      giveBack();
      return applied.status();
    }
    stats.push_back(*applied);
  }
  if (Status committed = session->commit(); !committed.ok()) {
    giveBack();
    return committed;
  }
  return stats;
}

}  // namespace eichub::daemon
