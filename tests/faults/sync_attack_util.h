// Helpers shared by the sync attack tests (SECURITY.md cases 5, 6, 12, 14, 26-29, 35): reading a
// daemon's per-link counters and its process's memory.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/multinode/node_process.h"

namespace eichub::testing {

// The node's CURVE transport key (Z85), as its peer card names it.
std::string transportKeyOf(const NodeProcess& node);
// A counter of node's links with that peer (role "client", "server" or "" for both), summed.
uint64_t linkCounter(const nlohmann::json& daemon, const std::string& peer_key,
                     const std::string& role, const std::string& field);
// Rejections of that peer's links with this reason, summed over both roles.
uint64_t rejectedFor(const nlohmann::json& daemon, const std::string& peer_key,
                     const std::string& reason);
// Every rejection of that peer's links, summed over reasons and roles.
uint64_t rejectedAll(const nlohmann::json& daemon, const std::string& peer_key);
// Whether one of that peer's links is throttled now (its messages ignored).
bool linkThrottled(const nlohmann::json& daemon, const std::string& peer_key);
// VmRSS of the node's daemon in kB (0 when unreadable).
uint64_t daemonRssKb(const NodeProcess& node);
// The daemon's status entry for author's feed (null when absent).
nlohmann::json daemonFeed(const nlohmann::json& daemon, const std::string& author);
// Whether `eichub status` reports author's feed as frozen by a fork proof.
bool frozenOn(const NodeProcess& node, const std::string& author);
int64_t steadyMs();

}  // namespace eichub::testing
