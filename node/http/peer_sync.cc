// PeerSync: lag per peer and holders per feed, from the announced heads in the snapshot.
#include "node/http/peer_sync.h"

#include <algorithm>

namespace eichub::http {
namespace {

nlohmann::json optionalJson(const auto& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// Signed time of update seq of author's feed, when held.
std::optional<int64_t> updateTimeMs(const store::CatalogStore& store, const std::string& author,
                                    uint64_t seq) {
  auto key = fixedFromHex<kPublicKeyBytes>(author);
  if (!key) return std::nullopt;
  auto held = store.queries().readFeed(*key, seq, seq, 1);
  if (!held.ok() || held->empty()) return std::nullopt;
  auto fields = feed::decodeHeader(held->front().header);
  if (!fields.ok()) return std::nullopt;
  return fields->time_ms;
}

double seconds(int64_t ms) { return static_cast<double>(std::max<int64_t>(ms, 0)) / 1000.0; }

}  // namespace

PeerLag peerLag(const LinkSnapshot& link, const std::map<std::string, uint64_t>& local_seqs,
                const store::CatalogStore& store, int64_t now_ms) {
  PeerLag lag;
  if (!link.heads_known) return lag;
  uint64_t behind = 0, ahead = 0;
  int64_t behind_ms = 0, ahead_ms = 0;
  for (const PeerHeadSnapshot& head : link.heads) {
    auto local = local_seqs.find(head.author);
    const uint64_t held = local == local_seqs.end() ? 0 : local->second;
    if (head.accepted_seq > held) {
      ahead += head.accepted_seq - held;
      if (head.ahead_since_ms > 0) ahead_ms = std::max(ahead_ms, now_ms - head.ahead_since_ms);
    } else if (head.seq < held) {
      behind += held - head.seq;
      if (auto time = updateTimeMs(store, head.author, head.seq + 1)) {
        behind_ms = std::max(behind_ms, now_ms - *time);
      }
    }
  }
  lag.behind_updates = behind;
  lag.ahead_updates = ahead;
  lag.behind_seconds = seconds(behind_ms);
  lag.ahead_seconds = seconds(ahead_ms);
  return lag;
}

nlohmann::json peerLagJson(const PeerLag& lag) {
  return {{"behind_updates", optionalJson(lag.behind_updates)},
          {"ahead_updates", optionalJson(lag.ahead_updates)},
          {"behind_seconds", optionalJson(lag.behind_seconds)},
          {"ahead_seconds", optionalJson(lag.ahead_seconds)}};
}

std::string peerId(const LinkSnapshot& link) {
  return link.node_id.empty() ? link.peer_key : link.node_id;
}

std::vector<AnnouncedHeads> announcedHeads(const NodeSnapshot& snapshot) {
  std::vector<AnnouncedHeads> out;
  for (const LinkSnapshot& link : snapshot.links) {
    if (!link.up || !link.heads_known) continue;
    AnnouncedHeads peer{peerId(link), {}};
    for (const PeerHeadSnapshot& head : link.heads) peer.seqs[head.author] = head.seq;
    out.push_back(std::move(peer));
  }
  return out;
}

nlohmann::json feedHolders(const std::vector<AnnouncedHeads>& announced,
                           const std::map<std::string, Origin>& origins, const std::string& self_id,
                           const std::string& author, uint64_t local_seq, uint64_t head_seq) {
  auto entry = [&](const std::string& peer, bool self, uint64_t seq) {
    auto origin = origins.find(peer);
    const char* state = seq == 0 ? "missing" : (seq >= head_seq ? "at_head" : "behind");
    return nlohmann::json{{"peer", peer},
                          {"name", origin == origins.end() ? "" : origin->second.name},
                          {"self", self},
                          {"seq", seq},
                          {"at_head", seq > 0 && seq >= head_seq},
                          {"state", state}};
  };
  nlohmann::json out = nlohmann::json::array();
  out.push_back(entry(self_id, true, local_seq));
  for (const AnnouncedHeads& peer : announced) {
    auto seq = peer.seqs.find(author);
    out.push_back(entry(peer.peer, false, seq == peer.seqs.end() ? 0 : seq->second));
  }
  return out;
}

}  // namespace eichub::http
