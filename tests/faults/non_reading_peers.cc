#include "tests/faults/non_reading_peers.h"

#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "tests/multinode/daemon_status.h"

namespace eichub::testing {

void connectNonReadingPeers(NodeProcess& node, int count,
                            std::vector<std::unique_ptr<RawPeer>>& peers) {
  for (int i = 0; i < count; ++i) {
    peers.push_back(std::make_unique<RawPeer>(crypto::SigningKey::generate().value(),
                                              std::set<std::string>{transportKeyOf(node)},
                                              [](const std::string&, const wire::Message& m) {
                                                return honestAnswer(kTestNetwork, {}, m);
                                              }));
    RawPeer& raw = *peers.back();
    node.ok({"peer", "add", raw.card()});
    raw.connect(node.card(), /*receive_hwm=*/1, /*receive_buffer=*/4096);
    ASSERT_TRUE(raw.waitUp(std::chrono::seconds(10))) << node.logFile();
    ASSERT_TRUE(raw.send(helloWithHeads(kTestNetwork, {})));
  }
}

}  // namespace eichub::testing
