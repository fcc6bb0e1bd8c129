// Metrics: families registered once; values brought up to date at each scrape.
#include "node/http/metrics.h"

#include <prometheus/text_serializer.h>

#include "node/http/peer_sync.h"

namespace eichub::http {
namespace {

// Latency buckets from 100 us to 10 s: a batch commit is milliseconds, a stalled disk seconds.
prometheus::Histogram::BucketBoundaries latencyBuckets() {
  return {0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10};
}

template <typename Builder>
auto& build(Builder builder, const std::string& name, const std::string& help,
            prometheus::Registry& registry) {
  return builder.Name(name).Help(help).Register(registry);
}

// A peer's label: its node id prefix when configured, else its transport key prefix. Bounded
// by the configured peers.
std::string peerLabel(const LinkSnapshot& link) {
  if (!link.node_id.empty()) return link.node_id.substr(0, 16);
  return link.peer_key.substr(0, 10);
}

}  // namespace

Metrics::Metrics()
    : published_(build(prometheus::BuildCounter(), "eichub_updates_published_total",
                       "Updates in this node's own feed", registry_)),
      received_(build(prometheus::BuildCounter(), "eichub_updates_received_total",
                      "Updates received from peers, verified and handed to the writer", registry_)),
      applied_(build(prometheus::BuildCounter(), "eichub_updates_applied_total",
                     "Updates from peers stored", registry_)),
      sent_(build(prometheus::BuildCounter(), "eichub_updates_sent_total",
                  "Updates served to peers", registry_)),
      messages_sent_(build(prometheus::BuildCounter(), "eichub_messages_sent_total",
                           "Sync messages sent to peers, by type", registry_)),
      bytes_sent_(build(prometheus::BuildCounter(), "eichub_bytes_sent_total",
                        "Encoded bytes of sync messages sent to peers, by type (before CURVE "
                        "framing)",
                        registry_)),
      rejected_(build(prometheus::BuildCounter(), "eichub_updates_rejected_total",
                      "Updates or messages from peers rejected, by reason", registry_)),
      over_local_budget_(build(prometheus::BuildCounter(), "eichub_updates_local_budget_total",
                               "Updates from peers not stored: past this node's own byte budget "
                               "per author ([limits] max_mb_per_author), by author",
                               registry_)),
      batches_(build(prometheus::BuildCounter(), "eichub_sync_batches_total",
                     "Batches of received updates written, by outcome", registry_)),
      zap_refused_(build(prometheus::BuildCounter(), "eichub_zap_refused_total",
                         "Transport handshakes refused: unknown CURVE key", registry_)),
      http_refused_(build(prometheus::BuildCounter(), "eichub_http_refused_total",
                          "HTTP clients refused by a limit or the request guard, by reason",
                          registry_)),
      heap_trims_(build(prometheus::BuildCounter(), "eichub_heap_trims_total",
                        "Times the daemon gave freed heap back to the system on going idle",
                        registry_)),
      trust_refreshes_(build(prometheus::BuildCounter(), "eichub_trust_refreshes_total",
                             "Times the daemon rederived trust from the store: at start, on "
                             "reloads, local writes and fork proofs, and after batches that hold "
                             "trust records or land past a feed's cut",
                             registry_)),
      snapshots_(build(prometheus::BuildCounter(), "eichub_snapshots_total",
                       "Snapshots of the daemon's state built for HTTP readers (one per read "
                       "after anything changed, or after 5 s)",
                       registry_)),
      peer_up_(build(prometheus::BuildGauge(), "eichub_peer_up",
                     "1 while the link to the peer is up", registry_)),
      peer_idle_seconds_(build(prometheus::BuildGauge(), "eichub_peer_idle_seconds",
                               "Seconds since the peer's last message", registry_)),
      peer_lag_updates_(build(prometheus::BuildGauge(), "eichub_peer_lag_updates",
                              "Updates between this node's feeds and the heads the peer announced: "
                              "direction=peer_behind (held here, not there) or peer_ahead",
                              registry_)),
      peer_lag_seconds_(build(prometheus::BuildGauge(), "eichub_peer_lag_seconds",
                              "peer_behind: age of the oldest update the peer lacks; peer_ahead: "
                              "how long this node has lacked what the peer announced",
                              registry_)),
      behind_updates_(build(prometheus::BuildGauge(), "eichub_sync_behind_updates",
                            "Updates peers announced that this node does not hold yet", registry_)),
      catching_up_(build(prometheus::BuildGauge(), "eichub_sync_catching_up",
                         "1 while some feed is behind what a peer announced", registry_)),
      pending_(build(prometheus::BuildGauge(), "eichub_sync_pending_updates",
                     "Updates received and not yet applied", registry_)),
      store_bytes_(build(prometheus::BuildGauge(), "eichub_store_bytes",
                         "Bytes of the LMDB data file in use", registry_)),
      map_bytes_(build(prometheus::BuildGauge(), "eichub_store_map_bytes",
                       "LMDB map size in bytes (grows by doubling)", registry_)),
      map_usage_(build(prometheus::BuildGauge(), "eichub_store_map_usage_ratio",
                       "Bytes in use over the map size", registry_)),
      reader_slots_(build(prometheus::BuildGauge(), "eichub_store_reader_slots",
                          "LMDB reader slots in use (stale ones are freed every minute)",
                          registry_)),
      records_(build(prometheus::BuildGauge(), "eichub_records", "Live catalogue records, by kind",
                     registry_)),
      feeds_(build(prometheus::BuildGauge(), "eichub_feeds", "Feeds held", registry_)),
      frozen_(build(prometheus::BuildGauge(), "eichub_feeds_frozen", "Feeds frozen by a fork proof",
                    registry_)),
      stale_(build(prometheus::BuildGauge(), "eichub_feeds_stale",
                   "Trusted feeds stale by this node's clock, by reason (a report, not a verdict)",
                   registry_)),
      erased_(build(prometheus::BuildGauge(), "eichub_store_erased_bodies",
                    "Record versions whose bodies erases dropped; never fetched again", registry_)),
      commit_seconds_(build(prometheus::BuildHistogram(), "eichub_commit_seconds",
                            "Seconds of the write transaction that applied each batch "
                            "(batches queued together share one)",
                            registry_)
                          .Add({}, latencyBuckets())),
      receive_seconds_(build(prometheus::BuildHistogram(), "eichub_receive_seconds",
                             "Seconds to decode and verify one received message", registry_)
                           .Add({}, latencyBuckets())) {}

void Metrics::follow(prometheus::Counter& counter, double total) {
  if (total > counter.Value()) counter.Increment(total - counter.Value());
}

std::string Metrics::render(const NodeSnapshot& snapshot, const store::CatalogStore& store,
                            const PublicKey& own_feed) {
  MutexLock lock(mu_);
  std::map<std::string, uint64_t> local_seqs;
  if (auto held = store.queries().feeds(); held.ok()) {
    for (const store::FeedInfo& feed : *held) local_seqs[toHex(feed.author)] = feed.head.seq;
  }
  uint64_t received = 0, applied = 0, sent = 0, behind = 0, frozen = 0;
  std::map<std::string, uint64_t> rejected;
  for (const LinkSnapshot& link : snapshot.links) {
    received += link.updates_received;
    applied += link.updates_applied;
    sent += link.updates_sent;
    for (const auto& [reason, count] : link.rejected_by_reason) rejected[reason] += count;
    const std::string peer = peerLabel(link);
    peer_up_.Add({{"peer", peer}, {"role", link.role}}).Set(link.up ? 1 : 0);
    if (link.last_seen_ms > 0) {
      peer_idle_seconds_.Add({{"peer", peer}, {"role", link.role}})
          .Set(static_cast<double>(snapshot.taken_ms - link.last_seen_ms) / 1000.0);
    }
    const PeerLag lag = peerLag(link, local_seqs, store, snapshot.taken_ms);
    if (!lag.behind_updates && link.role == "client") {
      // Heads unknown (link down): no lag rather than the last one seen.
      for (const char* direction : {"peer_behind", "peer_ahead"}) {
        const prometheus::Labels labels{{"peer", peer}, {"direction", direction}};
        for (auto* family : {&peer_lag_updates_, &peer_lag_seconds_}) {
          if (family->Has(labels)) family->Remove(&family->Add(labels));
        }
      }
    }
    if (lag.behind_updates) {  // client links whose peer said hello: heads known
      peer_lag_updates_.Add({{"peer", peer}, {"direction", "peer_behind"}})
          .Set(static_cast<double>(*lag.behind_updates));
      peer_lag_updates_.Add({{"peer", peer}, {"direction", "peer_ahead"}})
          .Set(static_cast<double>(*lag.ahead_updates));
      peer_lag_seconds_.Add({{"peer", peer}, {"direction", "peer_behind"}})
          .Set(*lag.behind_seconds);
      peer_lag_seconds_.Add({{"peer", peer}, {"direction", "peer_ahead"}}).Set(*lag.ahead_seconds);
    }
  }
  for (const FeedSnapshot& feed : snapshot.feeds) {
    if (feed.best_remote_seq > feed.local_seq) behind += feed.best_remote_seq - feed.local_seq;
    if (feed.frozen) ++frozen;
  }
  // From the store, not the snapshot: a publish shows at once.
  if (auto own = store.queries().head(own_feed); own.ok()) {
    follow(published_.Add({}), static_cast<double>(own->seq));
  }
  follow(received_.Add({}), static_cast<double>(received));
  follow(applied_.Add({}), static_cast<double>(applied));
  follow(sent_.Add({}), static_cast<double>(sent));
  for (const auto& [reason, count] : rejected) {
    follow(rejected_.Add({{"reason", reason}}), static_cast<double>(count));
  }
  for (const auto& [author, count] : snapshot.over_local_budget) {
    follow(over_local_budget_.Add({{"author", author}}), static_cast<double>(count));
  }
  follow(batches_.Add({{"outcome", "applied"}}), static_cast<double>(snapshot.batches_applied));
  follow(batches_.Add({{"outcome", "failed"}}), static_cast<double>(snapshot.batches_failed));
  follow(zap_refused_.Add({}), static_cast<double>(snapshot.zap_refused));
  follow(heap_trims_.Add({}), static_cast<double>(snapshot.heap_trims));
  follow(trust_refreshes_.Add({}), static_cast<double>(snapshot.trust_refreshes));
  follow(snapshots_.Add({}), static_cast<double>(snapshot.tick));
  for (const auto& [type, totals] : snapshot.sent_by_type) {
    follow(messages_sent_.Add({{"type", type}}), static_cast<double>(totals.messages));
    follow(bytes_sent_.Add({{"type", type}}), static_cast<double>(totals.bytes));
  }
  behind_updates_.Add({}).Set(static_cast<double>(behind));
  catching_up_.Add({}).Set(snapshot.catching_up ? 1 : 0);
  pending_.Add({}).Set(static_cast<double>(snapshot.pending_updates));
  feeds_.Add({}).Set(static_cast<double>(snapshot.feeds.size()));
  frozen_.Add({}).Set(static_cast<double>(frozen));
  // Every reason every scrape, so that a feed no longer stale leaves no series behind.
  std::map<std::string, uint64_t> stale{
      {"expired", 0}, {"delegation_expired", 0}, {"silent", 0}, {"withheld", 0}};
  for (const StaleSnapshot& feed : snapshot.stale) ++stale[feed.reason];
  for (const FeedSnapshot& feed : snapshot.feeds) stale["withheld"] += feed.withheld ? 1 : 0;
  for (const auto& [reason, count] : stale) {
    stale_.Add({{"reason", reason}}).Set(static_cast<double>(count));
  }
  if (auto erased = store.queries().erasedBodies(); erased.ok()) {
    erased_.Add({}).Set(static_cast<double>(*erased));
  }
  const auto map = static_cast<double>(store.mapBytes());
  if (auto used = store.storeBytes(); used.ok()) {
    store_bytes_.Add({}).Set(static_cast<double>(*used));
    map_bytes_.Add({}).Set(map);
    map_usage_.Add({}).Set(map > 0 ? static_cast<double>(*used) / map : 0);
  }
  reader_slots_.Add({}).Set(static_cast<double>(store.readerSlots()));
  if (auto counts = store.queries().countsByKind(); counts.ok()) {
    for (const auto& [kind, count] : *counts) {
      records_.Add({{"kind", kind}}).Set(static_cast<double>(count));
    }
  }
  return prometheus::TextSerializer().Serialize(registry_.Collect());
}

}  // namespace eichub::http
