// The [limits] of config.toml as each component takes them: the daemon converts them where it
// builds the sync engine, the peer sockets, the send queues and the HTTP server.
#pragma once

#include "federation/sync/sync_options.h"
#include "federation/transport/sockets.h"
#include "node/config/limits.h"
#include "node/http/http_limits.h"

namespace eichub::daemon {

// The sync engine's numeric settings; the caller adds network, node id and the callbacks.
// Pure; limits must have passed config validation (their ranges fit each field).
sync::SyncOptions syncOptionsOf(const config::Limits& limits);
// The peer-facing sockets' options. router_mandatory is the daemon's choice, not a limit.
transport::SocketLimits socketLimitsOf(const config::Limits& limits);
// The HTTP front door's bounds.
http::HttpLimits httpLimitsOf(const config::Limits& limits);

}  // namespace eichub::daemon
