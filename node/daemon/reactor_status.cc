// Reactor: what it shows: the control channel's status and the HTTP threads' snapshot.
#include "node/daemon/reactor.h"
#include "node/daemon/snapshot_fill.h"
#include "node/log.h"

namespace eichub::daemon {

void Reactor::publishSnapshot() {
  http::NodeSnapshot snapshot;
  snapshot.taken_ms = snapshot_ms_ = nowMs();
  snapshot.tick = ++snapshot_tick_;
  snapshot.listening = !endpoint_.empty();
  snapshot.catching_up = engine_->catchingUp();
  snapshot.pending_updates = engine_->pendingUpdates();
  snapshot.zap_admitted = zap_->admitted();
  snapshot.zap_refused = zap_->refused();
  snapshot.dropped_sends = dropped_sends_;
  snapshot.batches_applied = batches_applied_;
  snapshot.batches_failed = batches_failed_;
  snapshot.endpoint = endpoint_;
  for (const auto& [type, sent] : engine_->sentByType()) {
    snapshot.sent_by_type[type] = {sent.messages, sent.bytes};
  }
  fillLinks(*engine_, card_by_key_, snapshot);
  for (const auto& [author, count] : engine_->overLocalBudget()) {
    snapshot.over_local_budget[toHex(author)] = count;
  }
  fillOrigins(trust_.state(), home_.nodeKey().publicKey(), running_, snapshot);
  if (auto states = engine_->feedStates(); states.ok()) {
    for (const sync::FeedSyncState& state : *states) {
      snapshot.feeds.push_back({toHex(state.author), state.local_seq, state.best_remote_seq,
                                storage_->isFrozen(state.author), state.stale});
    }
  }
  for (const policy::StaleFeed& feed : staleFeeds(snapshot.taken_ms)) {
    snapshot.stale.push_back({toHex(feed.author), std::string(trust::roleName(feed.role)),
                              std::string(feed.reason), feed.since_ms});
  }
  board_.publish(std::move(snapshot));
}
std::vector<policy::StaleFeed> Reactor::staleFeeds(int64_t now_ms) {
  auto feeds = store().feeds();
  if (!feeds.ok()) return {};  // a report only: the next tick tries again
  return policy::staleFeeds(trust_.state(), *feeds, now_ms, stale_after_ms_);
}
nlohmann::json Reactor::statusJson() {
  uint64_t send_queued = 0;  // over every server link (SendQueue)
  for (const auto& [id, server] : servers_) send_queued += server.queue.bytes();
  nlohmann::json links = nlohmann::json::array();
  for (const sync::LinkStats& stats : engine_->linkStats()) {
    links.push_back({{"peer_key", stats.peer_key},
                     {"role", stats.role == sync::Role::kClient ? "client" : "server"},
                     {"up", stats.up},
                     {"last_seen_ms", stats.last_seen_ms},
                     {"updates_received", stats.updates_received},
                     {"updates_applied", stats.updates_applied},
                     {"duplicates", stats.duplicates},
                     {"updates_pushed", stats.updates_pushed},
                     {"pushes_unlinked", stats.pushes_unlinked},
                     {"updates_sent", stats.updates_sent},
                     {"bodies_received", stats.bodies_received},
                     {"bodies_sent", stats.bodies_sent},
                     {"rejected", stats.rejected},
                     {"rejected_by_reason", stats.rejected_by_reason},
                     {"throttled", stats.throttled}});
  }
  nlohmann::json feeds = nlohmann::json::array();
  uint64_t withheld_feeds = 0;  // behind what a peer announced and not advancing (case 14)
  auto states = engine_->feedStates();
  if (states.ok()) {
    for (const sync::FeedSyncState& state : *states) {
      withheld_feeds += state.stale ? 1 : 0;
      feeds.push_back({{"author", toHex(state.author)},
                       {"local_seq", state.local_seq},
                       {"best_remote_seq", state.best_remote_seq},
                       {"withheld", state.stale},
                       {"frozen", storage_->isFrozen(state.author)}});
    }
  }
  const std::vector<policy::StaleFeed> stale = staleFeeds(nowMs());
  nlohmann::json stale_ids = nlohmann::json::array();
  for (const policy::StaleFeed& feed : stale) stale_ids.push_back(toHex(feed.author));
  auto erased = store().erasedBodies();
  // Updates past this node's own byte budget, by author: a local choice, not a peer's fault.
  std::map<std::string, uint64_t> local_budget;
  for (const auto& [author, count] : engine_->overLocalBudget()) {
    local_budget[toHex(author)] = count;
  }
  return {{"node", toHex(home_.nodeKey().publicKey())},
          {"endpoint", endpoint_},
          {"catching_up", engine_->catchingUp()},
          {"pending_updates", engine_->pendingUpdates()},
          {"store_write_failures", engine_->storeFailures()},
          {"local_budget", local_budget},
          {"store_corrupt_refused", storage_->corruptRefused()},
          {"removed_peer_messages_dropped", removed_peer_messages_},
          {"revoked_peers", revoked_keys_},
          {"bodies_pending", engine_->bodiesPending()},
          {"bodies_given_up", engine_->bodiesGivenUp()},
          {"zap_admitted", zap_->admitted()},
          {"zap_refused", zap_->refused()},
          {"dropped_sends", dropped_sends_},
          {"send_queued_bytes", send_queued},
          {"frozen_feeds", storage_->frozen().size()},
          {"stale_feeds", stale.size()},
          {"erased_bodies", erased.ok() ? nlohmann::json(*erased) : nlohmann::json()},
          {"withheld_feeds", withheld_feeds},
          {"source_switches", engine_->sourceSwitches()},
          {"fork_probes", engine_->forkProbes()},
          {"pushes_sent", engine_->pushesSent()},
          {"relay_bytes", engine_->relayBytes()},
          {"relay_runs", engine_->relayRuns()},
          {"wants_refused", engine_->refusedWants()},
          {"trust",
           {{"authors", trust_.state().authors().size()},
            {"cuts", trust_.state().cuts().size()},
            {"pending_rotations", trust_.state().pendingRotations().size()},
            {"stale", stale_ids}}},
          {"links", links},
          {"feeds", feeds}};
}

}  // namespace eichub::daemon
