// The daemon's control channel: a REQ/REP socket on ipc://<home>/daemon.sock through which CLI
// commands tell a running daemon to announce new heads, reload peers, or report its state.
#pragma once

#include <string>

#include "federation/common/result.h"

namespace eichub::daemon {

// Sends request ("notify", "reload", "status") to the daemon of home_dir and returns its JSON
// reply. Errors: Unavailable when no daemon answers within timeout_ms.
Result<std::string> askDaemon(const std::string& home_dir, const std::string& request,
                              int timeout_ms = 1000);

// True when the daemon of home_dir is running (its run file names a live process).
bool daemonRunning(const std::string& home_dir);

}  // namespace eichub::daemon
