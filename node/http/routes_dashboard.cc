// GET / and the dashboard's assets.
#include "node/http/dashboard_assets.h"
#include "node/http/routes.h"

namespace eichub::http {

void addDashboardRoutes(httplib::Server& server, ApiContext&) {
  server.Get(R"(/|/index\.html|/app\.js|/match\.js|/style\.css)",
             [](const httplib::Request& req, httplib::Response& res) {
               auto asset = findDashboardAsset(req.path == "/" ? "/index.html" : req.path);
               if (!asset) return;  // the route's pattern lists exactly the embedded files
               res.set_header("Cache-Control", "no-cache");
               res.set_content(std::string(asset->bytes), std::string(asset->content_type));
             });
}

}  // namespace eichub::http
