// Split view (SECURITY.md case 12, variants 12b and 12c): the author's key signs two branches
// of one feed and a raw peer hands branch X to one end of a line of nodes and branch Y to the
// other. Every node must turn what it sees (a next update whose prev is not our head, or a
// peer's head that differs from ours) into a fork proof, freeze the feed at the first seq
// where the branches differ, and relay the proof; digests must then equal those of a node that
// only ever held the common prefix.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/faults/sync_attack_util.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr char kNetwork[] = "test-net";
constexpr size_t kCommon = 3;  // the branches agree on seqs 1..3 and differ from seq 4 on

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

class ForkSplitViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<crypto::SigningKey>(crypto::SigningKey::generate().value());
    author_ = toHex(key_->publicKey());
    common_ = makeFeed(*key_, kNetwork, "c", kCommon, nowMs());
    x_ = extendFeed(*key_, kNetwork, common_, "x", 2, nowMs() + 10);  // X up to seq 5
    y_ = extendFeed(*key_, kNetwork, common_, "y", 3, nowMs() + 20);  // Y up to seq 6
  }
  std::unique_ptr<NodeProcess> node(const std::string& name) {
    auto n = std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", "UKE42");
    n->start();
    n->ok({"trust", "add", author_});
    return n;
  }
  // A raw peer signing as the author: branch X to the first node, Y to the second, and only
  // the common prefix to the reference node.
  std::unique_ptr<RawPeer> twoFaced(const NodeProcess& gets_x, const NodeProcess& gets_y,
                                    const NodeProcess& reference) {
    const std::string x_key = transportKeyOf(gets_x);
    const std::string y_key = transportKeyOf(gets_y);
    return std::make_unique<RawPeer>(
        std::move(*key_),  // the feeds are built: the raw peer signs nothing more
        std::set<std::string>{x_key, y_key, transportKeyOf(reference)},
        [x = x_, y = y_, common = common_, x_key, y_key](const std::string& peer,
                                                         const wire::Message& message) {
          const FeedUpdates& feed = peer == x_key ? x : peer == y_key ? y : common;
          return honestAnswer(kNetwork, {feed}, message);
        });
  }
  // Waits until every node froze the feed and all digests equal the reference's.
  bool allFrozenAndEqual(const std::vector<NodeProcess*>& nodes, const NodeProcess& reference) {
    return waitFor(
        [&] {
          const std::string expected = reference.digest();
          for (NodeProcess* n : nodes) {
            if (!frozenOn(*n, author_) || n->digest() != expected) return false;
          }
          return true;
        },
        seconds(90));
  }
  std::string logs(const std::vector<NodeProcess*>& nodes) {
    std::string out = "see logs:";
    for (NodeProcess* n : nodes) out += " " + n->logFile();
    return out;
  }
  TempDir dir_;
  std::unique_ptr<crypto::SigningKey> key_;
  std::string author_;
  FeedUpdates common_, x_, y_;
};

// 12 and 12c: a line 1-2-3, X handed to node 1 and Y to node 3 at the same time.
TEST_F(ForkSplitViewTest, BranchesHandedToBothEndsOfALineFreezeEveryNode) {
  auto n1 = node("n1");
  auto n2 = node("n2");
  auto n3 = node("n3");
  auto ref = node("ref");
  peerBothWays(*n1, *n2);
  peerBothWays(*n2, *n3);
  auto raw = twoFaced(*n1, *n3, *ref);
  ref->ok({"peer", "add", raw->card()});
  ASSERT_TRUE(waitFor([&] { return ref->seqOf(author_) == kCommon; }, seconds(30)))
      << ref->logFile();
  const int64_t start = steadyMs();
  n1->ok({"peer", "add", raw->card()});
  n3->ok({"peer", "add", raw->card()});
  const std::vector<NodeProcess*> line = {n1.get(), n2.get(), n3.get()};
  ASSERT_TRUE(allFrozenAndEqual(line, *ref)) << logs(line);
  const int64_t frozen_ms = steadyMs() - start;
  // Nothing of either branch past the fork counts anywhere; the frozen feed is not announced.
  nlohmann::json figures = {{"case", "12/12c split view, line 1-2-3"},
                            {"branch_x_seq", x_.size()},
                            {"branch_y_seq", y_.size()},
                            {"common_prefix", kCommon},
                            {"ms_to_all_frozen", frozen_ms}};
  for (NodeProcess* n : line) {
    nlohmann::json daemon = n->daemonStatus();
    ASSERT_TRUE(daemon.is_object()) << n->logFile();
    EXPECT_GE(daemon["frozen_feeds"].get<uint64_t>(), 1u);
    figures["fork_probes"].push_back(daemon["fork_probes"]);
    figures["held_seq"].push_back(n->seqOf(author_));
  }
  reportFigures(figures);
}

// 12b: the two branches arrive on two nodes that cannot reach each other (equal heads,
// different hashes: a pull never compares them); once they are linked both freeze at the fork.
// The reference node holds the common prefix only (what a frozen feed keeps).
TEST_F(ForkSplitViewTest, BranchesOnBothSidesOfAPartitionFreezeAfterTheHeal) {
  y_.resize(x_.size());  // equal heads: only the hashes differ
  auto n1 = node("n1");
  auto n2 = node("n2");
  auto ref = node("ref");
  auto raw = twoFaced(*n1, *n2, *ref);
  ref->ok({"peer", "add", raw->card()});
  n1->ok({"peer", "add", raw->card()});
  n2->ok({"peer", "add", raw->card()});
  ASSERT_TRUE(waitFor([&] { return n1->seqOf(author_) == x_.size(); }, seconds(30)));
  ASSERT_TRUE(waitFor([&] { return n2->seqOf(author_) == y_.size(); }, seconds(30)));
  ASSERT_TRUE(waitFor([&] { return ref->seqOf(author_) == kCommon; }, seconds(30)));
  EXPECT_FALSE(frozenOn(*n1, author_));  // no node saw both yet
  const int64_t heal = steadyMs();
  peerBothWays(*n1, *n2);  // the heal: the two sides meet
  const std::vector<NodeProcess*> both = {n1.get(), n2.get()};
  ASSERT_TRUE(allFrozenAndEqual(both, *ref)) << logs(both);
  reportFigures({{"case", "12b split view across a partition"},
                 {"heads", x_.size()},
                 {"common_prefix", kCommon},
                 {"ms_from_heal_to_all_frozen", steadyMs() - heal},
                 {"fork_probes_n1", n1->daemonStatus()["fork_probes"]},
                 {"fork_probes_n2", n2->daemonStatus()["fork_probes"]}});
}

}  // namespace
}  // namespace eichub::testing
