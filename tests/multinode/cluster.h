// What tests of several nodes share: waiting until their stores agree, naming their logs in a
// failure message, trusting each other's feeds, admitting members, and the resource files they
// publish.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"

namespace eichub::testing {

// True once every node's store digest is the same; false if timeout passed first.
bool converged(const std::vector<NodeProcess*>& nodes, std::chrono::milliseconds timeout);
// "see logs: <log> <log> ..." for a failure message.
std::string logs(const std::vector<NodeProcess*>& nodes);
// Each node trusts every other node's feed.
void trustAll(const std::vector<NodeProcess*>& nodes);
// from adds to as a peer reached at endpoint, in place of the one its card names (to must run).
void peerAt(NodeProcess& from, const NodeProcess& to, const std::string& endpoint);
// authority admits node as a member (name, region) and node trusts authority as its root.
void admitMember(const NodeProcess& authority, const NodeProcess& node, const std::string& name,
                 const std::string& region);
// The nodes as pointers, in order (for converged, logs and trustAll).
std::vector<NodeProcess*> pointers(const std::vector<std::unique_ptr<NodeProcess>>& nodes);
// Writes n LearningResource lines (writeResources) to dir/<name>.jsonl and returns its path.
std::string resourceFile(const TempDir& dir, const std::string& name, size_t n,
                         size_t body_bytes = 200);

}  // namespace eichub::testing
