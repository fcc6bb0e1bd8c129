// GET /api/v1/status, /api/v1/peers, /api/v1/feeds: the node, its links and its feeds.
#include <algorithm>
#include <map>

#include "node/http/json_reply.h"
#include "node/http/origins.h"
#include "node/http/peer_sync.h"
#include "node/http/routes.h"

namespace eichub::http {
namespace {

nlohmann::json linkJson(const LinkSnapshot& link, const Origin& origin, const PeerLag& lag,
                        int64_t now_ms) {
  nlohmann::json sync_lag;  // the larger of the two directions, null when heads are unknown
  if (lag.behind_seconds && lag.ahead_seconds) {
    sync_lag = std::max(*lag.behind_seconds, *lag.ahead_seconds);
  }
  return {{"peer_key", link.peer_key},
          {"node_id", link.node_id},
          {"name", origin.name},
          {"region", origin.region},
          {"endpoint", link.endpoint},
          {"role", link.role},
          {"up", link.up},
          {"last_seen_ms", link.last_seen_ms},
          {"idle_seconds",
           link.last_seen_ms > 0
               ? nlohmann::json(static_cast<double>(now_ms - link.last_seen_ms) / 1000.0)
               : nlohmann::json()},
          {"lag_seconds", sync_lag},
          {"lag", peerLagJson(lag)},
          {"updates_received", link.updates_received},
          {"updates_applied", link.updates_applied},
          {"updates_sent", link.updates_sent},
          {"rejected", link.rejected},
          {"rejected_by_reason", link.rejected_by_reason},
          {"throttled", link.throttled}};
}

// Every feed held, with what peers announced; feeds only announced come last. Each lists its
// holders: this node and the up peers whose heads it knows.
Result<nlohmann::json> feedsJson(const ApiContext& context, const NodeSnapshot& snapshot) {
  EICHUB_ASSIGN_OR_RETURN(std::vector<store::FeedInfo> held, context.store.queries().feeds());
  const std::map<std::string, Origin> origins = knownOrigins(snapshot, context.store);
  const std::vector<AnnouncedHeads> announced = announcedHeads(snapshot);
  auto holders = [&](const std::string& author, uint64_t seq, uint64_t head_seq) {
    return feedHolders(announced, origins, context.node.node_id, author, seq, head_seq);
  };
  std::map<std::string, const FeedSnapshot*> known;
  for (const FeedSnapshot& feed : snapshot.feeds) known[feed.author] = &feed;
  std::map<std::string, std::string> stale;  // author -> reason
  for (const StaleSnapshot& feed : snapshot.stale) stale[feed.author] = feed.reason;
  nlohmann::json out = nlohmann::json::array();
  for (const store::FeedInfo& info : held) {
    std::string author = toHex(info.author);
    uint64_t remote = info.head.seq;
    bool frozen = false;
    if (auto it = known.find(author); it != known.end()) {
      remote = std::max(remote, it->second->best_remote_seq);
      frozen = it->second->frozen;
      known.erase(it);
    }
    out.push_back({{"author", author},
                   {"own", author == context.node.node_id},
                   {"seq", info.head.seq},
                   {"head", toHex(info.head.hash)},
                   {"time_ms", info.head.time_ms},
                   {"verified_up_to", info.verified_up_to},
                   {"best_remote_seq", remote},
                   {"frozen", frozen},
                   {"stale", stale.count(author) ? stale[author] : ""},
                   {"holders", holders(author, info.head.seq, remote)}});
  }
  for (const auto& [author, feed] : known) {
    out.push_back({{"author", author},
                   {"own", false},
                   {"seq", 0},
                   {"best_remote_seq", feed->best_remote_seq},
                   {"frozen", feed->frozen},
                   {"holders", holders(author, 0, feed->best_remote_seq)}});
  }
  return out;
}

}  // namespace

void addNodeRoutes(httplib::Server& server, ApiContext& context) {
  server.Get("/api/v1/status", [&context](const httplib::Request&, httplib::Response& res) {
    auto snapshot = context.board.get();
    auto counts = context.store.queries().countsByKind();
    auto used = context.store.storeBytes();
    auto last_change = context.store.queries().lastChange();
    auto feeds = feedsJson(context, *snapshot);
    auto erased = context.store.queries().erasedBodies();
    auto by_region = countsByRegion(knownOrigins(*snapshot, context.store), context.store);
    if (!counts.ok() || !used.ok() || !last_change.ok() || !feeds.ok() || !erased.ok() ||
        !by_region.ok()) {
      replyError(res, 500, "store", "the store could not be read; see the daemon log");
      return;
    }
    uint64_t held = 0, announced = 0;
    for (const auto& feed : *feeds) {
      held += feed["seq"].get<uint64_t>();
      announced += feed["best_remote_seq"].get<uint64_t>();
    }
    std::map<std::string, uint64_t> rejected;
    uint64_t links_up = 0;
    for (const LinkSnapshot& link : snapshot->links) {
      links_up += link.up ? 1 : 0;
      for (const auto& [reason, count] : link.rejected_by_reason) rejected[reason] += count;
    }
    // Stale by the daemon's clock when the snapshot was taken: a report, never a verdict.
    nlohmann::json stale = nlohmann::json::array();
    for (const StaleSnapshot& feed : snapshot->stale) {
      stale.push_back({{"author", feed.author},
                       {"role", feed.role},
                       {"reason", feed.reason},
                       {"since_ms", feed.since_ms}});
    }
    const NodeInfo& node = context.node;
    replyJson(res, 200,
              {{"node",
                {{"id", node.node_id},
                 {"name", node.name},
                 {"region", node.region},
                 {"sectors", node.sectors},
                 {"contact", node.contact},
                 {"network", node.network},
                 {"peer_card", node.peer_card},
                 {"endpoint", snapshot->endpoint}}},
               {"sync",
                {{"catching_up", snapshot->catching_up},
                 {"held_updates", held},
                 {"announced_updates", announced},
                 {"progress", announced ? static_cast<double>(held) / announced : 1.0},
                 {"pending_updates", snapshot->pending_updates},
                 {"links", snapshot->links.size()},
                 {"links_up", links_up},
                 {"rejected_by_reason", rejected},
                 {"local_budget", snapshot->over_local_budget}}},
               {"store",
                {{"bytes", *used},
                 {"map_bytes", context.store.mapBytes()},
                 {"feeds", feeds->size()},
                 {"last_change", *last_change},
                 {"erased_bodies", *erased}}},
               {"trust", {{"stale_feeds", stale.size()}, {"stale", stale}}},
               {"records_by_kind", *counts},
               {"records_by_region", *by_region}});
  });

  server.Get("/api/v1/peers", [&context](const httplib::Request&, httplib::Response& res) {
    auto snapshot = context.board.get();
    auto held = context.store.queries().feeds();
    if (!held.ok()) {
      replyError(res, 500, "store", "the store could not be read; see the daemon log");
      return;
    }
    std::map<std::string, uint64_t> local_seqs;
    for (const store::FeedInfo& feed : *held) local_seqs[toHex(feed.author)] = feed.head.seq;
    const std::map<std::string, Origin> origins = knownOrigins(*snapshot, context.store);
    nlohmann::json peers = nlohmann::json::array();
    for (const LinkSnapshot& link : snapshot->links) {
      auto origin = origins.find(link.node_id);
      peers.push_back(linkJson(link, origin == origins.end() ? Origin{} : origin->second,
                               peerLag(link, local_seqs, context.store, snapshot->taken_ms),
                               snapshot->taken_ms));
    }
    replyJson(res, 200, {{"peers", peers}});
  });

  server.Get("/api/v1/feeds", [&context](const httplib::Request&, httplib::Response& res) {
    auto feeds = feedsJson(context, *context.board.get());
    if (!feeds.ok()) {
      replyError(res, 500, "store", "the store could not be read; see the daemon log");
      return;
    }
    replyJson(res, 200, {{"feeds", *feeds}});
  });
}

}  // namespace eichub::http
