// Daemon: `eichub run`. One process: the main thread runs the reactor (all peer sockets, the
// ZAP handler, the control socket, signals) and the sync engine; the Writer thread owns LMDB
// writes (DESIGN.md section 5).
#pragma once

#include <string>

#include "federation/common/status.h"
#include "node/home/home.h"

namespace eichub::daemon {

// Runs until SIGTERM or SIGINT; returns OK after a clean shutdown. SIGHUP re-reads peers.toml
// and config.toml and applies what can change while running (see reload.h); one log line says
// what changed and what needs a restart. log_level_flag is the --log-level given on the command
// line: when set it outranks config.toml, on reload too. Errors: Unavailable when the endpoint
// cannot be bound or the ZAP handler cannot be installed (the node refuses to run a CURVE server
// that would admit anyone), InvalidArgument for a bad peers.toml.
Status runDaemon(home::Home& home, const std::string& log_level_flag = "");

// <home>/daemon.json: written once the daemon listens (pid, bound endpoint, control endpoint),
// removed on clean shutdown. Tests and the CLI read it.
std::string runFilePath(const std::string& home_dir);
// The control socket endpoint of the daemon of home_dir.
std::string controlEndpoint(const std::string& home_dir);

}  // namespace eichub::daemon
