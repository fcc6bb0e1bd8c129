// publishLocal: the vendor scope check, the publish, and the notify, shared by CLI and HTTP.
#include "node/publish/local_publish.h"

#include "node/policy/publish_check.h"

namespace eichub::publish {

namespace {

// What peers would refuse is not signed: a vendor's updates must be inside the scope its
// delegation gives, before its expiry and its cut-off, as this node's trust state judges them.
Status checkVendorScope(store::CatalogStore& store, const LocalPublish& how,
                        const std::vector<catalog::Change>& changes) {
  const PublicKey& vendor = how.key.publicKey();
  if (!how.trust) return Status::PermissionDenied("vendor keys cannot publish here");
  EICHUB_ASSIGN_OR_RETURN(trust::TrustState state, how.trust());
  if (state.find(vendor) == nullptr) {
    return Status::PermissionDenied(
        "key " + toHex(vendor).substr(0, 16) +
        "... is not admitted here; admit it first with `eichub vendor admit`");
  }
  EICHUB_ASSIGN_OR_RETURN(feed::Head head, store.head(vendor));
  return policy::checkPublish(state, vendor, head, changes, how.clock());
}

}  // namespace

Result<PublishSummary> publishLocal(store::CatalogStore& store, const LocalPublish& how,
                                    const std::vector<catalog::Change>& changes) {
  if (how.key.publicKey() != how.node_id) {
    EICHUB_RETURN_IF_ERROR(checkVendorScope(store, how, changes));
  }
  EICHUB_ASSIGN_OR_RETURN(feed::Head before, store.head(how.key.publicKey()));
  auto summary = publishChanges(store, how.key, how.network, changes, how.progress, how.clock);
  // A publish that failed part way keeps the batches it committed: those are news too.
  bool wrote = summary.ok() ? summary->written() > 0 : false;
  if (!summary.ok()) {
    auto after = store.head(how.key.publicKey());
    wrote = after.ok() && after->seq != before.seq;
  }
  if (wrote && how.notify) how.notify();
  return summary;
}

}  // namespace eichub::publish
