// The HTTP routes, one function per group of endpoints; http_server.cc calls each once.
// Adding an endpoint: a handler in its group's file (or a new file), one line in addRoutes.
#pragma once

#include <httplib.h>

#include "node/http/api_context.h"

namespace eichub::http {

// Every route of the node's HTTP server.
void addRoutes(httplib::Server& server, ApiContext& context);

void addHealthRoutes(httplib::Server& server, ApiContext& context);   // healthz, readyz
void addMetricsRoutes(httplib::Server& server, ApiContext& context);  // metrics
void addNodeRoutes(httplib::Server& server, ApiContext& context);     // status, peers, feeds
void addRecordRoutes(httplib::Server& server, ApiContext& context);   // records, search
void addChangesRoutes(httplib::Server& server, ApiContext& context);  // changes
void addPublishRoutes(httplib::Server& server, ApiContext& context);  // POST publish
void addMatchRoutes(httplib::Server& server, ApiContext& context);  // match, gaps, needs, align...
void addDashboardRoutes(httplib::Server& server, ApiContext& context);  // / and its assets
void addExportRoutes(httplib::Server& server, ApiContext& context);     // export/elm.xml
void addOaiRoutes(httplib::Server& server, ApiContext& context);        // oai

}  // namespace eichub::http
