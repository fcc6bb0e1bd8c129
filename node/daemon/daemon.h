// Daemon: `eichub run`. One process: the main thread runs the reactor (all peer sockets, the
// ZAP handler, the control socket, signals) and the sync engine; the Writer thread owns LMDB
// writes (docs/architecture.md "Threads").
#pragma once

#include <cstdint>
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

// SIGUSR1 to a running daemon means what the control channel's "notify" means: another process
// wrote to the store, announce the new heads. The run file says the daemon takes it
// ("notify_signal"), and names the process by pid and start time, so that the signal never
// reaches another process that reused the pid.
inline constexpr char kNotifySignalName[] = "USR1";

// <home>/daemon.json: written once the daemon listens (pid, its start time, bound endpoint,
// control endpoint, notify signal), removed on clean shutdown. Tests and the CLI read it.
std::string runFilePath(const std::string& home_dir);
// The control socket endpoint of the daemon of home_dir.
std::string controlEndpoint(const std::string& home_dir);
// The start time of process pid in clock ticks since boot (/proc/<pid>/stat, field 22), or 0
// when it cannot be read (no such process).
uint64_t processStartTime(int pid);

}  // namespace eichub::daemon
