// The dashboard's files (node/http/dashboard/), compiled into the binary by the build
// (cmake/EmbedFiles.cmake), so a node serves its dashboard offline with nothing installed.
#pragma once

#include <optional>
#include <string_view>

namespace eichub::http {

struct DashboardAsset {
  std::string_view content_type;
  std::string_view bytes;  // static storage
};

// The asset served at path ("/index.html", "/app.js", "/style.css"); nullopt for others.
std::optional<DashboardAsset> findDashboardAsset(std::string_view path);

}  // namespace eichub::http
