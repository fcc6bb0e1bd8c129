// Raw peers that ask a node for data and never read it (docs/reliability.md case 28 and issue 17,
// finding 4): what the credit and serve-budget attacks start from.
#pragma once

#include <memory>
#include <vector>

#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"

namespace eichub::testing {

// Starts count raw peers holding no feeds, each admitted by node as a peer and connected to it,
// that said hello and then stop reading: each DEALER takes in one message and a 4 kB socket buffer.
// Appends them to peers; a fatal gtest failure when one does not come up.
void connectNonReadingPeers(NodeProcess& node, int count,
                            std::vector<std::unique_ptr<RawPeer>>& peers);

}  // namespace eichub::testing
