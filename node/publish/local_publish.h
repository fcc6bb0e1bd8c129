// publishLocal: what `eichub publish` (CLI) and POST /api/v1/publish (on the daemon's writer
// thread) both do with a set of changes: check a vendor key's scope, sign and store, say so.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "federation/crypto/ed25519_key.h"
#include "federation/trust/trust_state.h"
#include "node/catalog/change.h"
#include "node/publish/publisher.h"
#include "node/store/catalog_store.h"

namespace eichub::publish {

// How one local publish signs and who hears of it. Borrowed references: they must outlive the
// call.
struct LocalPublish {
  LocalPublish(const crypto::SigningKey& signing_key, const PublicKey& node, std::string net)
      : key(signing_key), node_id(node), network(std::move(net)) {}

  const crypto::SigningKey& key;  // the node's own key, or a vendor's (`eichub publish --as`)
  PublicKey node_id{};            // the node's own key: its feed needs no scope check
  std::string network;
  // The trust state a vendor key's scope is judged by (the home's configured keys and the trust
  // records held); called only when key is not the node's.
  std::function<Result<trust::TrustState>()> trust;
  // Called once after the last batch when anything was written: the daemon announces the new
  // head to its peers and wakes change-feed long polls.
  std::function<void()> notify;
  ProgressFn progress;
  ClockFn clock = systemClockMs;
};

// The scope check publishLocal makes before signing, for changes handed over in parts (a
// streaming publish checks a whole file before it signs any of it): each part is judged as the
// updates that follow the parts before it. Nothing to check for the node's own key.
// Not thread-safe; borrows how, which must outlive it.
class ScopeCheck {
 public:
  // Errors: PermissionDenied for a vendor key not admitted here, the trust state's and the
  // store's errors.
  static Result<ScopeCheck> open(const store::CatalogStore& store, const LocalPublish& how);
  // Errors: PermissionDenied naming the first change outside the delegation (policy::
  // checkPublish).
  Status check(const std::vector<catalog::Change>& changes);

 private:
  ScopeCheck(const LocalPublish& how, bool own) : how_(how), own_(own) {}

  const LocalPublish& how_;
  bool own_;
  trust::TrustState state_;
  feed::Head head_;  // the feed's head, moved on by each part checked
};

// Checks a vendor key's scope (what its peers would refuse is not signed), then
// publishChanges, then notify. Errors: PermissionDenied (a vendor key not admitted here, or a
// change outside its delegation: nothing is signed), the trust state's errors, and
// publishChanges' (batches committed before stay committed, and notify still runs).
Result<PublishSummary> publishLocal(store::CatalogStore& store, const LocalPublish& how,
                                    const std::vector<catalog::Change>& changes);

}  // namespace eichub::publish
