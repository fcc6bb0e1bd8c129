// GET /metrics: Prometheus text format.
#include "node/http/routes.h"

namespace eichub::http {

void addMetricsRoutes(httplib::Server& server, ApiContext& context) {
  server.Get("/metrics", [&context](const httplib::Request&, httplib::Response& res) {
    auto snapshot = context.board.get();
    res.set_content(context.metrics.render(*snapshot, context.store, context.node.node_key),
                    "text/plain; version=0.0.4");
  });
}

}  // namespace eichub::http
