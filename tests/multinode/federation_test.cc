// Multi-process federation tests: real eichub daemons on 127.0.0.1 with ephemeral ports,
// CURVE on, real LMDB stores. They wait for conditions with deadlines, never sleep.
#include <chrono>

#include <gtest/gtest.h>

#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

class FederationTest : public ::testing::Test {
 protected:
  std::unique_ptr<NodeProcess> node(const std::string& name, const std::string& region = "UKE42") {
    return std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", region);
  }

  TempDir dir_;
};

TEST_F(FederationTest, TwoNodesConverge) {
  auto a = node("a");
  auto b = node("b");
  a->ok({"publish", resourceFile(dir_, "a", 300)});
  a->start();
  b->start();
  peerBothWays(*a, *b);
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(30))) << logs({a.get(), b.get()});
  EXPECT_EQ(b->status()["records"]["LearningResource"], 300);
  nlohmann::json peers = nlohmann::json::parse(b->ok({"peer", "list", "--json"}));
  ASSERT_EQ(peers["peers"].size(), 1u);
  EXPECT_TRUE(peers["peers"][0]["connected"].get<bool>());
  EXPECT_GE(peers["peers"][0]["updates_received"].get<uint64_t>(), 300u);
  EXPECT_EQ(a->stop(), 0);
  EXPECT_EQ(b->stop(), 0);
}

// Live publishes one at a time along A-B-C once B and C hold A's feed: each head is pushed as
// updates (no have -> want round trip) from A to B and, before B's commit, from B to C; every
// node ends with the same digest and nobody blames anybody.
TEST_F(FederationTest, LivePublishesArePushedAlongALine) {
  auto a = node("a");
  auto b = node("b", "DE501");
  auto c = node("c", "NO081");
  a->ok({"publish", resourceFile(dir_, "first", 3)});
  a->start();
  b->start();
  c->start();
  peerBothWays(*a, *b);
  peerBothWays(*b, *c);
  c->ok({"trust", "add", a->nodeId()});  // c never talks to a; it accepts a's feed via b
  a->ok({"trust", "add", c->nodeId()});
  ASSERT_TRUE(converged({a.get(), b.get(), c.get()}, seconds(30)))
      << logs({a.get(), b.get(), c.get()});
  for (int i = 0; i < 5; ++i) {
    a->ok({"publish", resourceFile(dir_, "live" + std::to_string(i), 1)});
    const uint64_t head = a->seqOf(a->nodeId());
    ASSERT_TRUE(waitFor([&] { return c->seqOf(a->nodeId()) == head; }, seconds(20)))
        << logs({a.get(), b.get(), c.get()});
  }
  ASSERT_TRUE(converged({a.get(), b.get(), c.get()}, seconds(30)));
  EXPECT_EQ(c->status()["records"]["LearningResource"], 8);
  const nlohmann::json on_a = a->daemonStatus();
  const nlohmann::json on_b = b->daemonStatus();
  const nlohmann::json on_c = c->daemonStatus();
  EXPECT_GE(on_a["pushes_sent"].get<uint64_t>(), 1u) << on_a.dump();
  EXPECT_GE(on_b["pushes_sent"].get<uint64_t>(), 1u) << on_b.dump();
  EXPECT_GE(linkCounter(on_b, transportKeyOf(*a), "client", "updates_pushed"), 1u) << on_b.dump();
  EXPECT_GE(linkCounter(on_c, transportKeyOf(*b), "client", "updates_pushed"), 1u) << on_c.dump();
  EXPECT_EQ(rejectedAll(on_b, transportKeyOf(*a)), 0u) << on_b.dump();
  EXPECT_EQ(rejectedAll(on_c, transportKeyOf(*b)), 0u) << on_c.dump();
  EXPECT_EQ(on_b["relay_bytes"].get<uint64_t>(), 0u);  // every relayed run committed
}

TEST_F(FederationTest, FiveNodeRingWithAPublisherAtEachNode) {
  std::vector<std::unique_ptr<NodeProcess>> nodes;
  std::vector<NodeProcess*> all;
  for (int i = 0; i < 5; ++i) {
    nodes.push_back(node("n" + std::to_string(i)));
    all.push_back(nodes.back().get());
  }
  for (NodeProcess* n : all) n->start();
  for (int i = 0; i < 5; ++i) peerBothWays(*all[i], *all[(i + 1) % 5]);
  for (NodeProcess* n : all) {
    for (NodeProcess* other : all) {
      if (n != other) n->ok({"trust", "add", other->nodeId()});
    }
  }
  for (int i = 0; i < 5; ++i) {
    all[i]->ok({"publish", resourceFile(dir_, "n" + std::to_string(i), 100)});
  }
  ASSERT_TRUE(converged(all, seconds(60))) << logs(all);
  EXPECT_EQ(all[2]->status()["records"]["LearningResource"], 500);
}

TEST_F(FederationTest, ANodeKilledMidSyncResumesAndLosesNothing) {
  auto a = node("a");
  auto b = node("b");
  a->ok({"publish", resourceFile(dir_, "big", 20000)});
  a->start();
  b->start();
  peerBothWays(*a, *b);
  const std::string author = a->nodeId();
  ASSERT_TRUE(waitFor([&] { return b->seqOf(author) > 0; }, seconds(30)))
      << logs({a.get(), b.get()});
  b->kill();
  uint64_t held = b->seqOf(author);
  b->start();
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(60))) << logs({a.get(), b.get()});
  EXPECT_GE(b->seqOf(author), held);
  EXPECT_EQ(b->status()["records"]["LearningResource"], 20000);
}

TEST_F(FederationTest, ANodeThatWasDownCatchesUp) {
  auto a = node("a");
  auto b = node("b");
  a->start();
  b->start();
  peerBothWays(*a, *b);
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(30)));
  EXPECT_EQ(b->stop(), 0);
  // A day's worth of publishing while b is away.
  for (int i = 0; i < 5; ++i)
    a->ok({"publish", resourceFile(dir_, "day" + std::to_string(i), 1000)});
  b->start();
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(60))) << logs({a.get(), b.get()});
  EXPECT_EQ(b->status()["records"]["LearningResource"], 5000);
}

TEST_F(FederationTest, TwoNodesSyncTheRealEscoData) {
  const std::string data = sharedDataDir();
  if (data.empty()) GTEST_SKIP() << "no ../shared/data/esco beside the source tree";
  auto a = node("a");
  auto b = node("b");
  a->ok({"import", "esco", data + "/esco"});
  a->start();
  b->start();
  peerBothWays(*a, *b);
  const std::string author = a->nodeId();
  ASSERT_TRUE(waitFor([&] { return b->seqOf(author) == a->seqOf(author); }, seconds(240)))
      << logs({a.get(), b.get()});
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(30))) << logs({a.get(), b.get()});
  nlohmann::json records = b->status()["records"];
  EXPECT_EQ(records["Skill"], 13896);
  EXPECT_EQ(records["Occupation"], 3007);
}

}  // namespace
}  // namespace eichub::testing
