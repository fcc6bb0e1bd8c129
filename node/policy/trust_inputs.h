// What a node's trust is derived from: its configured keys (the node itself, its peers,
// `trust add` authors and `trust root` authorities) and the trust records its store holds.
#pragma once

#include <vector>

#include "federation/trust/trust_state.h"
#include "node/home/peers.h"
#include "node/store/catalog_store.h"

namespace eichub::policy {

// The node itself (and its keys before rotations), its peers' node keys and trusted authors
// act directly; roots are roots. The home's [limits] give the node-local quota.
trust::TrustConfig trustConfig(const home::Home& home, const home::PeerList& peers);

// Every trust record in the store's state (the newest update of each trust record key), with
// its author, seq and signed time. Records whose body is absent or does not decode are left
// out: they were checked before storing, so this only happens to a damaged store.
// Errors: as StoreQueries::recordsOfKind.
Result<std::vector<trust::HeldRecord>> heldTrustRecords(const store::CatalogStore& store);

// The trust state of a home's store under config (no restating): what the CLI judges with.
Result<trust::TrustState> currentTrust(const store::CatalogStore& store,
                                       const trust::TrustConfig& config);

}  // namespace eichub::policy
