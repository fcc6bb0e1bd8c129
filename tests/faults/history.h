// History checker (docs/reliability.md "How the figures are made"): the acknowledged heads of every
// feed, recorded as publishers and peers report them, and a check that a node holds every one of
// them in a chain that verifies from seq 1.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "federation/feed/update.h"
#include "tests/multinode/node_process.h"

namespace eichub::testing {

// One acknowledged update: publish returned success, or a node reported it stored. The chain
// links every update before it to this hash, so holding it proves holding them all.
struct AckedHead {
  std::string author;  // hex
  uint64_t seq = 0;
  std::string hash;  // hex
};

// A node's copy of one feed, exported with `eichub feed export` and fully verified (framing,
// every signature, every chain link).
struct HeldFeed {
  std::string error;  // empty when the export verified
  std::vector<feed::VerifiedUpdate> updates;
};
HeldFeed exportFeed(const NodeProcess& node, const std::string& author, const std::string& path);

// The node's own head as `eichub status` reports it (seq 0 when it holds nothing).
AckedHead ownHead(const NodeProcess& node);

class History {
 public:
  void ack(AckedHead head);
  // The acknowledged update with the highest seq per author.
  const std::map<std::string, AckedHead>& latest() const { return latest_; }
  uint64_t acked() const { return acks_; }

  // What node lacks of the history, one line per problem (empty: nothing lost). Each feed is
  // exported to scratch_dir and verified; the acked head must be held with its hash.
  std::vector<std::string> missingOn(const NodeProcess& node, const std::string& scratch_dir) const;
  // Expects each of nodes to hold the whole history (a gtest failure names its first problem);
  // returns the number of problems over all nodes.
  uint64_t expectNothingLost(const std::vector<NodeProcess*>& nodes,
                             const std::string& scratch_dir) const;

 private:
  std::map<std::string, AckedHead> latest_;
  uint64_t acks_ = 0;
};

}  // namespace eichub::testing
