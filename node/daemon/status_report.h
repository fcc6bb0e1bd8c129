// StatusReport: the JSON the control channel's "status" answers (`eichub status` of a running
// daemon): counters, links, feeds and trust as the reactor's parts know them.
#pragma once

#include <nlohmann/json.hpp>

#include "node/daemon/daemon_view.h"

namespace eichub::daemon {

nlohmann::json statusReport(const DaemonView& view);

}  // namespace eichub::daemon
