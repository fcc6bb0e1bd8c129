// Reading a node under test from outside, for the multi-process and fault tests: its transport
// key, its daemon's per-link counters and feed states, its process's memory; and the clocks
// tests time things with.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/multinode/node_process.h"

namespace eichub::testing {

// The node's CURVE transport key (Z85), as its peer card names it.
std::string transportKeyOf(const NodeProcess& node);
// The TCP port the node's peers reach it at, as its peer card names it (the daemon must run).
uint16_t peerPort(const NodeProcess& node);
// A counter of node's links with that peer (role "client", "server" or "" for both), summed.
uint64_t linkCounter(const nlohmann::json& daemon, const std::string& peer_key,
                     const std::string& role, const std::string& field);
// Rejections of that peer's links with this reason (role "client", "server" or "" for both).
uint64_t rejectedFor(const nlohmann::json& daemon, const std::string& peer_key,
                     const std::string& reason, const std::string& role = "");
// Every rejection of that peer's links, summed over reasons and roles.
uint64_t rejectedAll(const nlohmann::json& daemon, const std::string& peer_key);
// Whether one of that peer's links is throttled now (its messages ignored).
bool linkThrottled(const nlohmann::json& daemon, const std::string& peer_key);
// The pid of the node's daemon from its run file (-1 when it has none).
int daemonPid(const NodeProcess& node);
// A field of /proc/<pid>/status in kB (VmRSS, VmHWM, ...); 0 when unreadable.
uint64_t procStatusKb(int pid, const std::string& field);
// VmRSS of the node's daemon in kB (0 when unreadable).
uint64_t daemonRssKb(const NodeProcess& node);
// Whether a daemon's RSS measures its own memory: not in an AddressSanitizer build, whose
// allocator holds up to 256 MiB of freed memory in quarantine and pads every block.
bool rssMeasuresMemory();
// Expects the RSS growth from before_kb to peak_kb under bound_kb (what names it on failure);
// under AddressSanitizer prints the figures and checks nothing (see rssMeasuresMemory).
void expectRssGrowthUnder(uint64_t before_kb, uint64_t peak_kb, uint64_t bound_kb,
                          const std::string& what);
// The daemon's status entry for author's feed (null when absent).
nlohmann::json daemonFeed(const nlohmann::json& daemon, const std::string& author);
// Whether `eichub status` reports author's feed as frozen by a fork proof.
bool frozenOn(const NodeProcess& node, const std::string& author);
// Milliseconds on the monotonic clock (for durations) and the wall clock (for signed times).
int64_t steadyMs();
int64_t systemMs();

}  // namespace eichub::testing
