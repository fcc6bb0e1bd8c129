// StatusReport: the control channel's status JSON.
#include "node/daemon/status_report.h"

#include "node/daemon/reactor_common.h"

namespace eichub::daemon {

nlohmann::json statusReport(const DaemonView& view) {
  nlohmann::json links = nlohmann::json::array();
  for (const sync::LinkStats& stats : view.engine.linkStats()) {
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
  auto states = view.engine.feedStates();
  if (states.ok()) {
    for (const sync::FeedSyncState& state : *states) {
      withheld_feeds += state.stale ? 1 : 0;
      feeds.push_back({{"author", toHex(state.author)},
                       {"local_seq", state.local_seq},
                       {"best_remote_seq", state.best_remote_seq},
                       {"withheld", state.stale},
                       {"frozen", view.storage.isFrozen(state.author)}});
    }
  }
  const std::vector<policy::StaleFeed> stale = view.admission.staleFeeds(view.store, nowMs());
  nlohmann::json stale_ids = nlohmann::json::array();
  for (const policy::StaleFeed& feed : stale) stale_ids.push_back(toHex(feed.author));
  auto erased = view.store.queries().erasedBodies();
  // Updates past this node's own byte budget, by author: a local choice, not a peer's fault.
  std::map<std::string, uint64_t> local_budget;
  for (const auto& [author, count] : view.engine.overLocalBudget()) {
    local_budget[toHex(author)] = count;
  }
  return {{"node", toHex(view.node_id)},
          {"endpoint", view.links.endpoint()},
          {"catching_up", view.engine.catchingUp()},
          {"pending_updates", view.engine.pendingUpdates()},
          {"store_write_failures", view.engine.storeFailures()},
          {"local_budget", local_budget},
          {"store_corrupt_refused", view.storage.corruptRefused()},
          {"removed_peer_messages_dropped", view.links.removedPeerMessages()},
          {"revoked_peers", view.admission.revokedKeys()},
          {"bodies_pending", view.engine.bodiesPending()},
          {"bodies_given_up", view.engine.bodiesGivenUp()},
          {"zap_admitted", view.admission.zap().admitted()},
          {"zap_refused", view.admission.zap().refused()},
          {"dropped_sends", view.links.droppedSends()},
          {"send_queued_bytes", view.links.sendQueuedBytes()},
          {"frozen_feeds", view.storage.frozen().size()},
          {"stale_feeds", stale.size()},
          {"erased_bodies", erased.ok() ? nlohmann::json(*erased) : nlohmann::json()},
          {"withheld_feeds", withheld_feeds},
          {"source_switches", view.engine.sourceSwitches()},
          {"fork_probes", view.engine.forkProbes()},
          {"pushes_sent", view.engine.pushesSent()},
          {"relay_bytes", view.engine.relayBytes()},
          {"relay_runs", view.engine.relayRuns()},
          {"wants_refused", view.engine.refusedWants()},
          {"trust",
           {{"authors", view.admission.trust().state().authors().size()},
            {"cuts", view.admission.trust().state().cuts().size()},
            {"pending_rotations", view.admission.trust().state().pendingRotations().size()},
            {"stale", stale_ids}}},
          {"links", links},
          {"feeds", feeds}};
}

}  // namespace eichub::daemon
