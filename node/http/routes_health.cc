// Liveness and readiness, separately (etcd): alive means the HTTP thread answers; ready means
// the store reads, the peer endpoint listens and no initial catch-up is running.
#include "node/http/json_reply.h"
#include "node/http/routes.h"

namespace eichub::http {

void addHealthRoutes(httplib::Server& server, ApiContext& context) {
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    replyJson(res, 200, {{"status", "ok"}});
  });
  server.Get("/readyz", [&context](const httplib::Request&, httplib::Response& res) {
    auto snapshot = context.board.get();
    auto heads = context.store.queries().feeds();
    nlohmann::json reasons = nlohmann::json::array();
    if (!heads.ok()) reasons.push_back("store: " + heads.status().toString());
    if (!snapshot->listening) reasons.push_back("not listening for peers yet");
    if (snapshot->catching_up) reasons.push_back("catching up with peers");
    bool ready = reasons.empty();
    replyJson(res, ready ? 200 : 503,
              {{"status", ready ? "ready" : "not_ready"},
               {"store_open", heads.ok()},
               {"listening", snapshot->listening},
               {"catching_up", snapshot->catching_up},
               {"reasons", reasons}});
  });
}

}  // namespace eichub::http
