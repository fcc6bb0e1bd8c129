// SyncStatus: link counters, peers' announced heads and feed sync states.
#include "federation/sync/sync_status.h"

#include <algorithm>

namespace eichub::sync {

std::vector<LinkStats> SyncStatus::linkStats() const {
  std::vector<LinkStats> out;
  for (const auto& [id, link] : context_.links()) out.push_back(link.stats);
  return out;
}

Result<std::vector<PeerHeads>> SyncStatus::peerHeads() {
  EICHUB_ASSIGN_OR_RETURN(std::vector<wire::HeadInfo> local, context_.storage().heads());
  std::map<PublicKey, uint64_t> held;
  for (const wire::HeadInfo& head : local) held[head.author] = head.seq;
  const int64_t now = context_.now();
  std::vector<PeerHeads> out;
  for (const auto& [id, link] : context_.links()) {
    if (link.stats.role != Role::kClient) continue;
    std::map<PublicKey, int64_t>& ahead_since = ahead_since_ms_[id];
    PeerHeads peer{link.stats.peer_key, link.stats.up, link.hello_received, {}};
    for (const auto& [author, head] : link.remote_heads) {
      auto local_seq = held.find(author);
      const uint64_t accepted = std::min(head.seq, puller_.pullableTo(author));
      const bool ahead = accepted > (local_seq == held.end() ? 0 : local_seq->second);
      int64_t since = 0;
      if (ahead) {
        since = ahead_since.try_emplace(author, now).first->second;
      } else {
        ahead_since.erase(author);
      }
      peer.heads.push_back({author, head.seq, accepted, since});
    }
    out.push_back(std::move(peer));
  }
  return out;
}

Result<std::vector<FeedSyncState>> SyncStatus::feedStates() {
  EICHUB_ASSIGN_OR_RETURN(std::vector<wire::HeadInfo> heads, context_.storage().heads());
  std::map<PublicKey, FeedSyncState> states;
  for (const wire::HeadInfo& head : heads) {
    states[head.author] = FeedSyncState{head.author, head.seq, head.seq};
  }
  for (const auto& [id, link] : context_.links()) {
    for (const auto& [author, head] : link.remote_heads) {
      FeedSyncState& state = states[author];
      state.author = author;
      state.best_remote_seq = std::max(state.best_remote_seq, head.seq);
    }
  }
  const int64_t now = context_.now();
  std::vector<FeedSyncState> out;
  for (auto& [author, state] : states) {
    // What may be pulled: a peer holding more than a byte quota or a refused record lets
    // through is not withholding anything.
    const uint64_t wanted = std::min(state.best_remote_seq, puller_.pullableTo(author));
    if (wanted > state.local_seq && !context_.storage().isFrozen(author)) {
      const std::optional<int64_t> advanced = puller_.lastAdvanceMs(author);
      state.stale = !advanced || now - *advanced >= context_.options().stale_after_ms;
    }
    out.push_back(state);
  }
  return out;
}

}  // namespace eichub::sync
