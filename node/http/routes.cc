// The route table.
#include "node/http/routes.h"

namespace eichub::http {

void addRoutes(httplib::Server& server, ApiContext& context) {
  addHealthRoutes(server, context);
  addMetricsRoutes(server, context);
  addNodeRoutes(server, context);
  addRecordRoutes(server, context);
  addChangesRoutes(server, context);
  addPublishRoutes(server, context);
  addMatchRoutes(server, context);
  addDashboardRoutes(server, context);
  addExportRoutes(server, context);
  addOaiRoutes(server, context);
}

}  // namespace eichub::http
