// ApiContext: what the HTTP handlers may use. Everything here is safe to use from the HTTP
// threads: the store's reads, the reactor's published snapshot, the signal of applied batches,
// the metrics and the publish function (a command to the writer thread), the match cache
// (thread-safe).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "federation/common/result.h"
#include "node/catalog/change.h"
#include "node/http/api_token.h"
#include "node/http/change_signal.h"
#include "node/http/metrics.h"
#include "node/http/node_snapshot.h"
#include "node/match/match_cache.h"
#include "node/publish/stream_publish.h"
#include "node/store/catalog_store.h"

namespace eichub::http {

// The node's public card, fixed while the daemon runs (a restart applies [node] changes).
struct NodeInfo {
  PublicKey node_key{};
  std::string node_id;  // hex
  std::string name;
  std::string region;
  std::vector<std::string> sectors;
  std::string contact;
  std::string network;
  std::string peer_card;  // eichub-peer:v1:... with the bound endpoint
};

// Signs and stores the JSON Lines of a request body in the node's own feed, in parts, as
// `eichub publish` does (daemon::Writer::publish, on the daemon's writer thread), and waits for
// the outcome. Thread-safe.
using PublishFn = std::function<Result<publish::StreamResult>(std::string_view body,
                                                              const catalog::LoadOptions&)>;

struct ApiContext {
  // A constructor, not aggregate initialisation: clang 14 cannot make_unique an aggregate.
  ApiContext(const store::CatalogStore& catalog, SnapshotBoard& snapshots,
             ChangeSignal& applied_signal, Metrics& node_metrics, NodeInfo info, std::string token,
             PublishFn publish_fn)
      : store(catalog),
        board(snapshots),
        applied(applied_signal),
        metrics(node_metrics),
        node(std::move(info)),
        api_token(std::move(token)),
        publish(std::move(publish_fn)) {}

  const store::CatalogStore& store;
  SnapshotBoard& board;
  ChangeSignal& applied;  // notified after every batch that may add changes; stopped by HttpServer
  Metrics& metrics;
  NodeInfo node;
  ApiToken api_token;  // replaced on reload; empty: write endpoints are refused (401)
  PublishFn publish;
  std::atomic<int> long_polls{0};  // change-feed requests now waiting (each holds a thread)
  // ELM exports streaming at once at most: HttpServer::start sets it from its HttpLimits.
  size_t max_concurrent_exports = 0;
  match::MatchCache matching{store};  // match, gaps and align answers
};

}  // namespace eichub::http
