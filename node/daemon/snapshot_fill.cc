// SnapshotFill: engine and trust state to snapshot fields.
#include "node/daemon/snapshot_fill.h"

namespace eichub::daemon {

void fillLinks(sync::SyncEngine& engine, const std::map<std::string, home::PeerCard>& card_by_key,
               http::NodeSnapshot& snapshot) {
  std::map<std::string, const sync::PeerHeads*> heads_by_key;
  auto peers = engine.peerHeads();
  if (peers.ok()) {
    for (const sync::PeerHeads& peer : *peers) heads_by_key[peer.peer_key] = &peer;
  }
  for (const sync::LinkStats& stats : engine.linkStats()) {
    http::LinkSnapshot link;
    link.peer_key = stats.peer_key;
    if (auto card = card_by_key.find(stats.peer_key); card != card_by_key.end()) {
      link.node_id = toHex(card->second.node_id);
      link.endpoint = card->second.endpoint;
    }
    link.role = stats.role == sync::Role::kClient ? "client" : "server";
    link.up = stats.up;
    link.last_seen_ms = stats.last_seen_ms;
    link.updates_received = stats.updates_received;
    link.updates_applied = stats.updates_applied;
    link.updates_sent = stats.updates_sent;
    link.rejected = stats.rejected;
    link.rejected_by_reason = stats.rejected_by_reason;
    link.throttled = stats.throttled;
    auto heads = heads_by_key.find(stats.peer_key);
    if (stats.role == sync::Role::kClient && heads != heads_by_key.end()) {
      const sync::PeerHeads& peer = *heads->second;
      link.heads_known = peer.up && peer.hello_received;
      for (const sync::PeerFeedHead& head : peer.heads) {
        link.heads.push_back(
            {toHex(head.author), head.seq, head.accepted_seq, head.ahead_since_ms});
      }
    }
    snapshot.links.push_back(std::move(link));
  }
}

void fillOrigins(const trust::TrustState& trust, const PublicKey& self,
                 const config::Options& options, http::NodeSnapshot& snapshot) {
  for (const auto& [author, author_trust] : trust.authors()) {
    snapshot.origins[toHex(author)] = {author_trust.name, author_trust.region};
  }
  snapshot.origins[toHex(self)] = {options.name, options.region};
}

}  // namespace eichub::daemon
