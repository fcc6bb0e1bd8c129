// SnapshotPublisher: one NodeSnapshot from the daemon's parts.
#include "node/daemon/snapshot_publisher.h"

#include "node/daemon/reactor_common.h"
#include "node/daemon/snapshot_fill.h"

namespace eichub::daemon {

void SnapshotPublisher::publish(const DaemonView& view) {
  http::NodeSnapshot snapshot;
  snapshot.taken_ms = nowMs();
  snapshot.tick = ++tick_;
  snapshot.listening = !view.links.endpoint().empty();
  snapshot.catching_up = view.engine.catchingUp();
  snapshot.pending_updates = view.engine.pendingUpdates();
  snapshot.zap_admitted = view.admission.zap().admitted();
  snapshot.zap_refused = view.admission.zap().refused();
  snapshot.dropped_sends = view.links.droppedSends();
  snapshot.batches_applied = view.batches_applied;
  snapshot.batches_failed = view.batches_failed;
  snapshot.heap_trims = view.heap_trims;
  snapshot.trust_refreshes = view.admission.refreshes();
  snapshot.endpoint = view.links.endpoint();
  for (const auto& [type, sent] : view.engine.sentByType()) {
    snapshot.sent_by_type[type] = {sent.messages, sent.bytes};
  }
  fillLinks(view.engine, view.admission.cards(), snapshot);
  for (const auto& [author, count] : view.engine.overLocalBudget()) {
    snapshot.over_local_budget[toHex(author)] = count;
  }
  fillOrigins(view.admission.trust().state(), view.node_id, view.running, snapshot);
  if (auto states = view.engine.feedStates(); states.ok()) {
    for (const sync::FeedSyncState& state : *states) {
      snapshot.feeds.push_back({toHex(state.author), state.local_seq, state.best_remote_seq,
                                view.storage.isFrozen(state.author), state.stale});
    }
  }
  for (const policy::StaleFeed& feed : view.admission.staleFeeds(view.store, snapshot.taken_ms)) {
    snapshot.stale.push_back({toHex(feed.author), std::string(trust::roleName(feed.role)),
                              std::string(feed.reason), feed.since_ms});
  }
  board_.publish(std::move(snapshot));
}

}  // namespace eichub::daemon
