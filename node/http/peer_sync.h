// PeerSync: how far each peer's copy of the feeds is from this node's, from the heads the peer
// announced on our client link to it (hello and have). A node knows its direct peers' heads
// only: what a peer's own peers hold is never reported to it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "node/http/node_snapshot.h"
#include "node/store/catalog_store.h"

namespace eichub::http {

// One peer's lag, over the feeds it announced (a feed it never announced may be one it does not
// accept: it is not counted; what it announced past this node's trust is not counted either). Empty
// optionals: the peer's heads are not known (a server link, or no hello yet).
struct PeerLag {
  std::optional<uint64_t> behind_updates;  // held here, not announced by the peer
  std::optional<uint64_t> ahead_updates;   // announced by the peer, accepted, not held here
  // Age (signed time) of the oldest update held here that the peer lacks; 0 when none.
  std::optional<double> behind_seconds;
  // How long this node has lacked something the peer announced; 0 when nothing.
  std::optional<double> ahead_seconds;
};

// The lag of link's peer: its heads against local_seqs (head seq per author hex), reading the
// time of the first update it lacks from store. now_ms is the snapshot's time. Thread-safe.
PeerLag peerLag(const LinkSnapshot& link, const std::map<std::string, uint64_t>& local_seqs,
                const store::CatalogStore& store, int64_t now_ms);

// {"behind_updates", "ahead_updates", "behind_seconds", "ahead_seconds"}; null when unknown.
nlohmann::json peerLagJson(const PeerLag& lag);

// A peer's label: its node id when configured, else its transport key.
std::string peerId(const LinkSnapshot& link);

// What one up peer announced, by author (hex): the input of feedHolders.
struct AnnouncedHeads {
  std::string peer;  // peerId
  std::map<std::string, uint64_t> seqs;
};
// Every up client link whose peer's heads are known.
std::vector<AnnouncedHeads> announcedHeads(const NodeSnapshot& snapshot);

// Who holds author's feed: this node first ("self": true), then each peer of announced, each
// {"peer", "name", "self", "seq", "at_head", "state"}. head_seq is the newest seq known for the
// feed; state is "at_head" (seq == head_seq), "behind" or "missing" (none held or announced).
// origins names the peers.
nlohmann::json feedHolders(const std::vector<AnnouncedHeads>& announced,
                           const std::map<std::string, Origin>& origins, const std::string& self_id,
                           const std::string& author, uint64_t local_seq, uint64_t head_seq);

}  // namespace eichub::http
