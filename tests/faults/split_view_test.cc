// Split view (docs/reliability.md case 12, variants 12b and 12c): the author's key signs two
// branches of one feed and a raw peer hands branch X to one node and branch Y to another. Every
// node must turn what it sees (a next update whose prev is not our head, or a peer's head that
// differs from ours) into a fork proof, freeze the feed at the first seq where the branches
// differ, and relay the proof; digests must then be equal on every node, and the author's
// records in every node's state those of the common prefix only.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

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
    common_ = makeFeed(*key_, kTestNetwork, "c", kCommon, nowMs());
    x_ = extendFeed(*key_, kTestNetwork, common_, "x", 2, nowMs() + 10);  // X up to seq 5
    y_ = extendFeed(*key_, kTestNetwork, common_, "y", 3, nowMs() + 20);  // Y up to seq 6
  }
  std::unique_ptr<NodeProcess> node(const std::string& name) {
    auto n = std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", "UKE42");
    n->start();
    n->ok({"trust", "add", author_});
    return n;
  }
  // Running nodes n1..n<count> peered in a line, each accepting the others' own feeds.
  std::vector<std::unique_ptr<NodeProcess>> startLine(size_t count) {
    std::vector<std::unique_ptr<NodeProcess>> line;
    for (size_t i = 1; i <= count; ++i) line.push_back(node("n" + std::to_string(i)));
    trustAll(pointers(line));
    for (size_t i = 0; i + 1 < count; ++i) peerBothWays(*line[i], *line[i + 1]);
    return line;
  }
  // A raw peer signing as the author: branch X to one node, Y to the other.
  std::unique_ptr<RawPeer> twoFaced(const NodeProcess& gets_x, const NodeProcess& gets_y) {
    const std::string x_key = transportKeyOf(gets_x);
    const std::string y_key = transportKeyOf(gets_y);
    return std::make_unique<RawPeer>(
        std::move(*key_),  // the feeds are built: the raw peer signs nothing more
        std::set<std::string>{x_key, y_key},
        [x = x_, y = y_, x_key](const std::string& peer, const wire::Message& message) {
          return honestAnswer(kTestNetwork, {peer == x_key ? x : y}, message);
        });
  }
  // The author's records in node's state are those of seqs 1..kCommon only (c/0.. present,
  // the first record of either branch absent): the feed froze at the first differing seq.
  static bool holdsCommonPrefixOnly(const NodeProcess& node) {
    for (size_t i = 0; i < kCommon; ++i) {
      if (node.cli({"get", "c/" + std::to_string(i)}).exit_code != 0) return false;
    }
    return node.cli({"get", "x/0"}).exit_code != 0 && node.cli({"get", "y/0"}).exit_code != 0;
  }
  // Waits until every node froze the feed, digests agree, and each holds the prefix only.
  bool allFrozenAndEqual(const std::vector<NodeProcess*>& nodes) {
    return waitFor(
        [&] {
          for (NodeProcess* n : nodes) {
            if (!frozenOn(*n, author_) || n->digest() != nodes.front()->digest()) return false;
          }
          for (NodeProcess* n : nodes) {
            if (!holdsCommonPrefixOnly(*n)) return false;
          }
          return true;
        },
        seconds(60));
  }
  std::string logs(const std::vector<NodeProcess*>& nodes) {
    std::string out = "see logs:";
    for (NodeProcess* n : nodes) {
      nlohmann::json daemon = n->daemonStatus();
      out += "\n  " + n->logFile() + " seq " + std::to_string(n->seqOf(author_)) +
             (frozenOn(*n, author_) ? " frozen" : " not frozen") + " digest " + n->digest() +
             (holdsCommonPrefixOnly(*n) ? " prefix only" : " not the prefix") + " probes " +
             (daemon.is_object() ? daemon["fork_probes"].dump() : "?");
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<crypto::SigningKey> key_;
  std::string author_;
  FeedUpdates common_, x_, y_;
};

// 12 and 12c as docs/reliability.md runs them: a line of 5 nodes, X handed to node 1 and Y to node
// 5 at the same time; the proofs cross 4 hops.
TEST_F(ForkSplitViewTest, BranchesHandedToBothEndsOfAFiveNodeLineFreezeEveryNode) {
  const auto nodes = startLine(5);
  const std::vector<NodeProcess*> line = pointers(nodes);
  NodeProcess& first = *line.front();
  NodeProcess& last = *line.back();
  ASSERT_TRUE(converged({&first, &last}, seconds(60))) << logs(line);
  auto raw = twoFaced(first, last);
  const int64_t start = steadyMs();
  first.ok({"peer", "add", raw->card()});
  last.ok({"peer", "add", raw->card()});
  ASSERT_TRUE(allFrozenAndEqual(line)) << logs(line);
  const int64_t frozen_ms = steadyMs() - start;
  nlohmann::json figures = {{"case", "12/12c split view, line 1-2-3-4-5"},
                            {"hops", line.size() - 1},
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

// 12b: the two branches reach two nodes that cannot reach each other (equal heads, different
// hashes: a pull never compares them); once they are linked (the heal) both freeze at the fork.
TEST_F(ForkSplitViewTest, BranchesOnBothSidesOfAPartitionFreezeAfterTheHeal) {
  y_.resize(x_.size());  // equal heads: only the hashes differ
  auto n1 = node("n1");
  auto n2 = node("n2");
  const std::vector<NodeProcess*> both = {n1.get(), n2.get()};
  trustAll(both);
  auto raw = twoFaced(*n1, *n2);
  n1->ok({"peer", "add", raw->card()});
  n2->ok({"peer", "add", raw->card()});
  ASSERT_TRUE(waitFor([&] { return n1->seqOf(author_) == x_.size(); }, seconds(30)));
  ASSERT_TRUE(waitFor([&] { return n2->seqOf(author_) == y_.size(); }, seconds(30)));
  EXPECT_FALSE(frozenOn(*n1, author_));  // no node saw both yet
  const int64_t heal = steadyMs();
  peerBothWays(*n1, *n2);
  ASSERT_TRUE(allFrozenAndEqual(both)) << logs(both);
  reportFigures({{"case", "12b split view across a partition"},
                 {"heads", x_.size()},
                 {"common_prefix", kCommon},
                 {"ms_from_heal_to_all_frozen", steadyMs() - heal},
                 {"fork_probes_n1", n1->daemonStatus()["fork_probes"]},
                 {"fork_probes_n2", n2->daemonStatus()["fork_probes"]}});
}

// 12c in its degenerate form: every node of the line holds seqs 1..3; then node 3 alone gets one
// signed seq 4 whose prev is not the hash of the seq 3 held, and no other branch: its copy of
// seq 3 equals ours, so no two headers of one seq exist. The lone update conflicts with the held
// chain by itself: (4, 3) is the proof, every node freezes after seq 3.
TEST_F(ForkSplitViewTest, ALoneNextUpdateNotLinkingToTheHeldHeadFreezesEveryNode) {
  const FeedUpdates base(common_.begin(), common_.end() - 1);
  const FeedUpdates elsewhere = extendFeed(*key_, kTestNetwork, base, "z", 2, nowMs() + 30);
  FeedUpdates lone = common_;
  lone.push_back(elsewhere.back());  // seq 4, linking to a seq 3 nobody holds
  const auto nodes = startLine(3);
  const std::vector<NodeProcess*> line = pointers(nodes);
  NodeProcess* n1 = line[0];
  NodeProcess* n3 = line[2];
  const std::string n1_key = transportKeyOf(*n1);
  RawPeer raw(std::move(*key_), {n1_key, transportKeyOf(*n3)},
              [common = common_, lone, n1_key](const std::string& peer, const wire::Message& m) {
                return honestAnswer(kTestNetwork, {peer == n1_key ? common : lone}, m);
              });
  n1->ok({"peer", "add", raw.card()});
  ASSERT_TRUE(waitFor(
      [&] {
        for (NodeProcess* n : line) {
          if (n->seqOf(author_) != kCommon) return false;
        }
        return true;
      },
      seconds(60)))
      << logs(line);
  const int64_t start = steadyMs();
  n3->ok({"peer", "add", raw.card()});
  ASSERT_TRUE(allFrozenAndEqual(line)) << logs(line);
  nlohmann::json figures = {{"case", "12c lone update with another prev, line 1-2-3"},
                            {"held_before", kCommon},
                            {"ms_to_all_frozen", steadyMs() - start}};
  for (NodeProcess* n : line) {
    EXPECT_NE(n->cli({"get", "z/1"}).exit_code, 0) << n->logFile();
    nlohmann::json daemon = n->daemonStatus();
    ASSERT_TRUE(daemon.is_object()) << n->logFile();
    figures["held_seq"].push_back(n->seqOf(author_));
    figures["fork_probes"].push_back(daemon["fork_probes"]);
  }
  reportFigures(figures);
}

}  // namespace
}  // namespace eichub::testing
