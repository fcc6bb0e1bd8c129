// Metrics: the node's Prometheus metrics (prefix eichub_, no per-record labels). Latency
// histograms are observed where the work happens; everything else is read at scrape time from
// the reactor's snapshot and the store.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "federation/common/mutex.h"
#include "node/http/node_snapshot.h"
#include "node/store/catalog_store.h"

namespace eichub::http {

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Seconds of the write transaction that applied one batch (batches queued together share
  // one). Thread-safe.
  void observeCommit(double seconds) { commit_seconds_.Observe(seconds); }
  // Seconds the reactor spent on one received message: decoding and verifying it. Thread-safe.
  void observeReceive(double seconds) { receive_seconds_.Observe(seconds); }
  // One HTTP client refused by a limit or the request guard; code is a stable word from a
  // fixed set (FrontDoor::RefusalFn, RequestGuard), so labels stay bounded. Thread-safe.
  void countHttpRefusal(std::string_view code) {
    http_refused_.Add({{"reason", std::string(code)}}).Increment();
  }

  // The text exposition format, after bringing every metric up to date with snapshot and
  // store. own_feed is this node's author key. Thread-safe.
  std::string render(const NodeSnapshot& snapshot, const store::CatalogStore& store,
                     const PublicKey& own_feed) EICHUB_EXCLUDES(mu_);

 private:
  // Counters follow totals kept elsewhere: they move up by the difference.
  static void follow(prometheus::Counter& counter, double total);

  Mutex mu_;  // one scrape at a time updates the families below
  prometheus::Registry registry_;
  prometheus::Family<prometheus::Counter>& published_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Counter>& applied_;
  prometheus::Family<prometheus::Counter>& sent_;
  prometheus::Family<prometheus::Counter>& messages_sent_;
  prometheus::Family<prometheus::Counter>& bytes_sent_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& over_local_budget_;
  prometheus::Family<prometheus::Counter>& batches_;
  prometheus::Family<prometheus::Counter>& zap_refused_;
  prometheus::Family<prometheus::Counter>& http_refused_;
  prometheus::Family<prometheus::Counter>& heap_trims_;
  prometheus::Family<prometheus::Counter>& trust_refreshes_;
  prometheus::Family<prometheus::Counter>& snapshots_;
  prometheus::Family<prometheus::Gauge>& peer_up_;
  prometheus::Family<prometheus::Gauge>& peer_idle_seconds_;
  prometheus::Family<prometheus::Gauge>& peer_lag_updates_;
  prometheus::Family<prometheus::Gauge>& peer_lag_seconds_;
  prometheus::Family<prometheus::Gauge>& behind_updates_;
  prometheus::Family<prometheus::Gauge>& catching_up_;
  prometheus::Family<prometheus::Gauge>& pending_;
  prometheus::Family<prometheus::Gauge>& store_bytes_;
  prometheus::Family<prometheus::Gauge>& map_bytes_;
  prometheus::Family<prometheus::Gauge>& map_usage_;
  prometheus::Family<prometheus::Gauge>& reader_slots_;
  prometheus::Family<prometheus::Gauge>& records_;
  prometheus::Family<prometheus::Gauge>& feeds_;
  prometheus::Family<prometheus::Gauge>& frozen_;
  prometheus::Family<prometheus::Gauge>& stale_;
  prometheus::Family<prometheus::Gauge>& erased_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Histogram& receive_seconds_;
};

}  // namespace eichub::http
