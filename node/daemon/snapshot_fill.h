// SnapshotFill: copies what the sync engine and trust state know into the snapshot the HTTP
// threads read (links with their peers' announced heads, feeds, origins). Reactor thread only.
#pragma once

#include <map>
#include <string>

#include "federation/sync/sync_engine.h"
#include "federation/trust/trust_state.h"
#include "node/config/options.h"
#include "node/home/home.h"
#include "node/http/node_snapshot.h"

namespace eichub::daemon {

// Appends one LinkSnapshot per engine link (client links with the heads their peer announced);
// card_by_key names configured peers. Calls engine.peerHeads(), which keeps each feed's
// ahead_since_ms (the reactor also calls it every kOwnHeadCheckMs).
void fillLinks(sync::SyncEngine& engine, const std::map<std::string, home::PeerCard>& card_by_key,
               http::NodeSnapshot& snapshot);

// Names and regions by author: the trust records' (memberships), and this node's from its
// running options.
void fillOrigins(const trust::TrustState& trust, const PublicKey& self,
                 const config::Options& options, http::NodeSnapshot& snapshot);

}  // namespace eichub::daemon
