// Same header, second valid signature (docs/reliability.md case 5). Ed25519 signatures are not
// unique: the author's key signs the same header bytes twice with different nonces
// (RandomizedSigner). In feed format 2 a header's prev hashes the previous *signed* header, so a
// chain goes on from one signature only: a second signature can only end a run. A raw peer hands
// node N, which holds seqs 1-5, runs from seq 1 that end at seq 5 under a second signature: N must
// count them as duplicates, prove no fork, leave the feed unfrozen, take seqs 6-8 (which link to
// the signature N holds), and end with the digest of a node that only ever saw one signature.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/faults/history.h"
#include "tests/faults/randomized_signer.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr size_t kResigned = 5;  // seqs 1..5 are re-sent, seq 5 under a second signature
constexpr size_t kFeed = 8;      // the second peer also has seqs 6..8

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::unique_ptr<RawPeer> honestServer(const NodeProcess& node, FeedUpdates feed) {
  return std::make_unique<RawPeer>(
      crypto::SigningKey::generate().value(), std::set<std::string>{transportKeyOf(node)},
      [feed = std::move(feed)](const std::string&, const wire::Message& m) {
        return honestAnswer(kTestNetwork, {feed}, m);
      });
}

TEST(DuplicateSignatureTest, ASecondSignatureOverAHeldHeaderIsADuplicateNotAFork) {
  TempDir dir;
  auto key = crypto::SigningKey::generate().value();
  ASSERT_TRUE(key.savePem(dir.file("author.pem")).ok());
  auto signer = RandomizedSigner::loadPem(dir.file("author.pem"));
  ASSERT_TRUE(signer.ok()) << signer.status().toString();
  const std::string author = toHex(key.publicKey());
  const FeedUpdates feed = makeFeed(key, kTestNetwork, "d", kFeed, nowMs());
  // Seqs 1..5 with seq 5 signed again with a new nonce: a valid run, whose end is our head's
  // header under another signature.
  FeedUpdates resigned(feed.begin(), feed.begin() + kResigned);
  resigned.back().signature = signer->sign(resigned.back().header);
  ASSERT_NE(resigned.back().signature, feed[kResigned - 1].signature);
  ASSERT_TRUE(
      crypto::verifySignature(key.publicKey(), resigned.back().header, resigned.back().signature)
          .ok());

  NodeProcess n(dir.file("n"), "n cluster", "UKE42");
  NodeProcess reference(dir.file("r"), "r cluster", "UKE42");
  for (NodeProcess* node : {&n, &reference}) {
    node->start();
    node->ok({"trust", "add", author});
  }
  // The first peer serves seqs 1..5 with OpenSSL's signatures.
  auto first = honestServer(n, FeedUpdates(feed.begin(), feed.begin() + kResigned));
  // The second serves the whole feed, and answers every want with the re-signed run 1..5 first,
  // so N receives its held headers again, its head under the second signature.
  auto second = std::make_unique<RawPeer>(
      crypto::SigningKey::generate().value(), std::set<std::string>{transportKeyOf(n)},
      [feed, resigned](const std::string&, const wire::Message& m) {
        std::vector<Bytes> out;
        if (std::holds_alternative<wire::Want>(m)) {
          out.push_back(wire::encode(wire::Updates{resigned}));
        }
        for (Bytes& answer : honestAnswer(kTestNetwork, {feed}, m))
          out.push_back(std::move(answer));
        return out;
      });
  auto honest = honestServer(reference, feed);

  n.ok({"peer", "add", first->card()});
  ASSERT_TRUE(waitFor([&] { return n.seqOf(author) == kResigned; }, seconds(30))) << n.logFile();
  n.ok({"peer", "add", second->card()});
  reference.ok({"peer", "add", honest->card()});
  ASSERT_TRUE(waitFor([&] { return n.seqOf(author) == kFeed; }, seconds(30))) << n.logFile();
  ASSERT_TRUE(waitFor([&] { return reference.seqOf(author) == kFeed; }, seconds(30)));

  const std::string second_key = second->transportKeys().public_z85;
  nlohmann::json daemon;
  ASSERT_TRUE(waitFor(
      [&] {
        daemon = n.daemonStatus();
        return linkCounter(daemon, second_key, "client", "duplicates") >= kResigned;
      },
      seconds(10)))
      << daemon.dump() << " " << n.logFile();
  EXPECT_FALSE(frozenOn(n, author));
  EXPECT_EQ(daemon["frozen_feeds"].get<uint64_t>(), 0u);
  EXPECT_EQ(rejectedAll(daemon, second_key), 0u) << daemon.dump();
  // Each node's own feed holds its cluster profile: once they hold each other's, their states
  // are equal only if N's copy of the author's feed gives the state the honest one gives.
  peerBothWays(n, reference);
  EXPECT_TRUE(converged({&n, &reference}, seconds(30)))
      << n.logFile() << " " << reference.logFile();
  EXPECT_FALSE(frozenOn(reference, author));

  // One stored copy per seq: the first signature that arrived, and the feed verifies.
  HeldFeed held = exportFeed(n, author, dir.file("n.feed"));
  ASSERT_TRUE(held.error.empty()) << held.error;
  ASSERT_EQ(held.updates.size(), kFeed);
  for (size_t i = 0; i < kFeed; ++i) {
    EXPECT_EQ(held.updates[i].signed_update.header, feed[i].header);
    EXPECT_EQ(held.updates[i].signed_update.signature, feed[i].signature) << "seq " << i + 1;
  }
  reportFigures({{"case", "5 same header, second valid signature"},
                 {"headers_with_two_signatures", 1},
                 {"duplicates_counted", linkCounter(daemon, second_key, "client", "duplicates")},
                 {"frozen_feeds", daemon["frozen_feeds"]},
                 {"fork_probes", daemon["fork_probes"]},
                 {"stored_copies", held.updates.size()}});
}

}  // namespace
}  // namespace eichub::testing
