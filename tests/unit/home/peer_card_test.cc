// Tests for peer cards and peers.toml: a card that parses is saved in a form that loads again.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "node/home/home.h"
#include "node/home/peers.h"
#include "tests/testing/temp_dir.h"

namespace eichub::home {
namespace {

std::string card(const std::string& endpoint) {
  return "eichub-peer:v1:" + std::string(64, 'a') + ":" + std::string(64, 'b') + ":" + endpoint;
}

TEST(PeerCardTest, RoundTrip) {
  auto parsed = parsePeerCard(card("tcp://127.0.0.1:7402") + "\n");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->endpoint, "tcp://127.0.0.1:7402");
  EXPECT_EQ(formatPeerCard(*parsed), card("tcp://127.0.0.1:7402"));
}

// Found with fuzz_config's round-trip check, on a hand-written input: a quote in the endpoint
// ended the TOML string savePeers writes, so the node could no longer load peers.toml, and a
// card could add lines of its own.
TEST(PeerCardTest, EndpointWithQuoteOrControlCharacterIsRefused) {
  const std::string injected = "tcp://x\"\n[trust]\nauthors = [\"" + std::string(64, 'c');
  for (const std::string& endpoint :
       std::vector<std::string>{"tcp://a\"b", "tcp://a\\b", "tcp://a b", "tcp://a\x01", injected}) {
    auto parsed = parsePeerCard(card(endpoint));
    ASSERT_FALSE(parsed.ok()) << endpoint;
    EXPECT_NE(parsed.status().message().find("endpoint"), std::string::npos);
  }
}

TEST(PeerCardTest, SavedPeersLoadAgain) {
  testing::TempDir dir;
  auto parsed = parsePeerCard(card("ipc:///run/eichub/node.sock"));
  ASSERT_TRUE(parsed.ok());
  PeerList list;
  list.peers = {*parsed};
  ASSERT_TRUE(savePeers(dir.path(), list).ok());
  auto loaded = loadPeers(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  ASSERT_EQ(loaded->peers.size(), 1u);
  EXPECT_EQ(formatPeerCard(loaded->peers[0]), formatPeerCard(*parsed));
}

}  // namespace
}  // namespace eichub::home
