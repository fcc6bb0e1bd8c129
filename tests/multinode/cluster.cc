#include "tests/multinode/cluster.h"

#include "federation/common/check.h"
#include "node/home/home.h"
#include "tests/testing/wait.h"

namespace eichub::testing {

bool converged(const std::vector<NodeProcess*>& nodes, std::chrono::milliseconds timeout) {
  return waitFor(
      [&] {
        const std::string first = nodes.front()->digest();
        for (const NodeProcess* n : nodes) {
          if (n->digest() != first) return false;
        }
        return true;
      },
      timeout);
}

std::string logs(const std::vector<NodeProcess*>& nodes) {
  std::string out = "see logs:";
  for (const NodeProcess* n : nodes) out += " " + n->logFile();
  return out;
}

void trustAll(const std::vector<NodeProcess*>& nodes) {
  for (const NodeProcess* n : nodes) {
    for (const NodeProcess* other : nodes) {
      if (n != other) n->ok({"trust", "add", other->nodeId()});
    }
  }
}

void peerAt(NodeProcess& from, const NodeProcess& to, const std::string& endpoint) {
  auto card = home::parsePeerCard(to.card());
  EICHUB_CHECK(card.ok()) << card.status().toString();
  card->endpoint = endpoint;
  from.ok({"peer", "add", home::formatPeerCard(*card)});
}

void admitMember(const NodeProcess& authority, const NodeProcess& node, const std::string& name,
                 const std::string& region) {
  authority.ok({"authority", "admit", node.card(), "--name", name, "--region", region});
  node.ok({"trust", "root", authority.nodeId()});
}

std::vector<NodeProcess*> pointers(const std::vector<std::unique_ptr<NodeProcess>>& nodes) {
  std::vector<NodeProcess*> out;
  for (const auto& n : nodes) out.push_back(n.get());
  return out;
}

std::string resourceFile(const TempDir& dir, const std::string& name, size_t n, size_t body_bytes) {
  std::string path = dir.file(name + ".jsonl");
  writeResources(path, name, n, body_bytes);
  return path;
}

}  // namespace eichub::testing
