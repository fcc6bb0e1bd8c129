// Trust inputs: configured keys and held trust records.
#include "node/policy/trust_inputs.h"

namespace eichub::policy {

trust::TrustConfig trustConfig(const home::Home& home, const home::PeerList& peers) {
  trust::TrustConfig config;
  config.direct.insert(home.nodeKey().publicKey());
  config.own.insert(home.nodeKey().publicKey());
  for (const PublicKey& former : home.formerNodeIds()) {
    config.direct.insert(former);
    config.own.insert(former);
  }
  for (const home::PeerCard& peer : peers.peers) config.direct.insert(peer.node_id);
  config.direct.insert(peers.trusted.begin(), peers.trusted.end());
  config.roots.insert(peers.roots.begin(), peers.roots.end());
  config.root_threshold = peers.root_threshold;
  config.local_max_updates = home.options().limits.max_updates_per_author;
  config.local_max_bytes = home.options().limits.max_mb_per_author << 20;
  return config;
}

Result<std::vector<trust::HeldRecord>> heldTrustRecords(const store::CatalogStore& store) {
  EICHUB_ASSIGN_OR_RETURN(std::vector<store::RecordState> states,
                          store.queries().recordsOfKind(catalog::Kind::TRUST));
  std::vector<trust::HeldRecord> out;
  out.reserve(states.size());
  for (const store::RecordState& state : states) {
    if (state.op != feed::Op::UPSERT || state.body.empty()) continue;
    auto record = trust::decodeRecord(state.body);
    if (!record.ok()) continue;
    out.push_back({state.key.author, state.seq, state.time_ms, state.key.id, std::move(*record)});
  }
  return out;
}

Result<trust::TrustState> currentTrust(const store::CatalogStore& store,
                                       const trust::TrustConfig& config) {
  EICHUB_ASSIGN_OR_RETURN(std::vector<trust::HeldRecord> held, heldTrustRecords(store));
  return trust::TrustState::derive(config, std::move(held));
}

}  // namespace eichub::policy
