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

// Tells the daemon of home_dir that this process wrote to its store, so that it announces the
// new heads to its peers and wakes change-feed long polls at once. A daemon whose run file offers
// it gets SIGUSR1 (a kill costs microseconds, a control round trip a ZeroMQ context, its threads
// and a name-service lookup: milliseconds), once the run file's pid and start time show it is
// still that process; an older daemon gets the control channel's "notify", waiting up to
// timeout_ms. Errors: Unavailable when no daemon runs or none took the notice.
Status notifyDaemon(const std::string& home_dir, int timeout_ms = 500);

// Tells the daemon of home_dir to reload its peers and trust (after `peer add`, `trust add`...):
// the control channel's "reload", waiting up to timeout_ms, and SIGUSR1's way of reaching a
// daemon too busy to answer: SIGHUP (see notifyDaemon for the run file's checks). Errors:
// Unavailable when no daemon runs or none took the request.
Status reloadDaemon(const std::string& home_dir, int timeout_ms = 1000);

}  // namespace eichub::daemon
