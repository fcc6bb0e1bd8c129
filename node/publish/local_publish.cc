// publishLocal: the vendor scope check, the publish, and the notify, shared by CLI and HTTP.
#include "node/publish/local_publish.h"

#include "node/policy/publish_check.h"

namespace eichub::publish {

// What peers would refuse is not signed: a vendor's updates must be inside the scope its
// delegation gives, before its expiry and its cut-off, as this node's trust state judges them.
Result<ScopeCheck> ScopeCheck::open(const store::CatalogStore& store, const LocalPublish& how) {
  const PublicKey& vendor = how.key.publicKey();
  if (vendor == how.node_id) return ScopeCheck(how, true);
  if (!how.trust) return Status::PermissionDenied("vendor keys cannot publish here");
  ScopeCheck check(how, false);
  EICHUB_ASSIGN_OR_RETURN(check.state_, how.trust());
  if (check.state_.find(vendor) == nullptr) {
    return Status::PermissionDenied(
        "key " + toHex(vendor).substr(0, 16) +
        "... is not admitted here; admit it first with `eichub vendor admit`");
  }
  EICHUB_ASSIGN_OR_RETURN(check.head_, store.queries().head(vendor));
  return check;
}

Status ScopeCheck::check(const std::vector<catalog::Change>& changes) {
  if (own_) return Status::OK();
  EICHUB_RETURN_IF_ERROR(
      policy::checkPublish(state_, how_.key.publicKey(), head_, changes, how_.clock()));
  // Unchanged records take no seq and no bytes: upper bounds, as within one part.
  head_.seq += changes.size();
  for (const catalog::Change& change : changes) head_.bytes += change.body.size();
  return Status::OK();
}

Result<PublishSummary> publishLocal(store::CatalogStore& store, const LocalPublish& how,
                                    const std::vector<catalog::Change>& changes) {
  {
    EICHUB_ASSIGN_OR_RETURN(ScopeCheck scope, ScopeCheck::open(store, how));
    EICHUB_RETURN_IF_ERROR(scope.check(changes));
  }
  EICHUB_ASSIGN_OR_RETURN(feed::Head before, store.queries().head(how.key.publicKey()));
  auto summary = publishChanges(store, how.key, how.network, changes, how.progress, how.clock);
  // A publish that failed part way keeps the batches it committed: those are news too.
  bool wrote = summary.ok() ? summary->written() > 0 : false;
  if (!summary.ok()) {
    auto after = store.queries().head(how.key.publicKey());
    wrote = after.ok() && after->seq != before.seq;
  }
  if (wrote && how.notify) how.notify();
  return summary;
}

}  // namespace eichub::publish
