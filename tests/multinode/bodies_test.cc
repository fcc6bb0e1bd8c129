// Selective sync and erasure between real eichub daemons on 127.0.0.1 (CURVE, real LMDB, real
// Ed25519 keys): a node subscribed to one sector holds every header and only its bodies,
// fetches another body when asked, refuses bodies that do not match their hash, and an erase
// published at one end of a chain drops the body everywhere while the digests stay equal.
#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "federation/feed/feed_file.h"
#include "node/home/home.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

// Subscribes node to healthcare learning resources (its [subscribe] section, before start).
void subscribeToHealthcareCourses(const NodeProcess& node) {
  const std::string path = node.dir() + "/config.toml";
  std::ifstream in(path);
  std::string config((std::istreambuf_iterator<char>(in)), {});
  const std::string section = "[subscribe]";
  size_t at = config.find(section);
  ASSERT_NE(at, std::string::npos);
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"\nkinds = []", "\nkinds = [\"LearningResource\"]"},
        {"\nsectors = []", "\nsectors = [\"healthcare\"]"}}) {
    size_t key = config.find(from, at);
    ASSERT_NE(key, std::string::npos) << from;
    config.replace(key, from.size(), to);
  }
  std::ofstream(path, std::ios::trunc) << config;
}

// Courses prefix/0..n-1, even ones in healthcare, odd ones in construction.
std::string writeCourses(const std::string& path, const std::string& prefix, int n) {
  std::ofstream out(path);
  for (int i = 0; i < n; ++i) {
    out << R"({"kind":"LearningResource","id":")" << prefix << "/" << i
        << R"(","title":{"en":"Course )" << prefix << " " << i << R"("},"sectors":[")"
        << (i % 2 == 0 ? "healthcare" : "construction") << "\"]}\n";
  }
  return path;
}

// author's feed as node holds it, verified end to end (every signature and link).
std::vector<feed::VerifiedUpdate> exportedFeed(const NodeProcess& node, const std::string& author,
                                               const std::string& file) {
  node.ok({"feed", "export", "--author", author, "--out", file});
  std::vector<feed::VerifiedUpdate> updates;
  feed::FeedFileReport report = feed::verifyFeedFile(file, &updates);
  EXPECT_TRUE(report.error.ok()) << report.error.toString();
  return updates;
}

uint64_t rejected(const nlohmann::json& daemon, const std::string& reason) {
  uint64_t total = 0;
  if (!daemon.is_object()) return 0;
  for (const auto& link : daemon["links"]) {
    if (link["rejected_by_reason"].contains(reason)) {
      total += link["rejected_by_reason"][reason].get<uint64_t>();
    }
  }
  return total;
}

class BodiesTest : public ::testing::Test {
 protected:
  std::unique_ptr<NodeProcess> node(const std::string& name) {
    return std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", "UKE42");
  }

  TempDir dir_;
};

TEST_F(BodiesTest, SelectiveNodeFetchesOnGetAndAnEraseReachesTheWholeChain) {
  auto a = node("a");
  auto b = node("b");
  auto c = node("c");
  subscribeToHealthcareCourses(*b);
  a->ok({"publish", writeCourses(dir_.file("a.jsonl"), "a", 20)});
  for (NodeProcess* n : {a.get(), b.get(), c.get()}) n->start();
  peerBothWays(*a, *b);
  peerBothWays(*b, *c);
  c->ok({"trust", "add", a->nodeId()});  // the ends meet only through b
  a->ok({"trust", "add", c->nodeId()});
  const std::string author = a->nodeId();
  std::vector<NodeProcess*> all = {a.get(), b.get(), c.get()};
  // Seq 1 of a node's feed is its ClusterProfile (init publishes it); courses follow.
  ASSERT_TRUE(waitFor([&] { return c->seqOf(author) == 21; }, seconds(30))) << logs(all);
  ASSERT_TRUE(converged(all, seconds(30))) << logs(all);

  // B holds every header of A's feed and exactly the healthcare bodies; C, which pulls through
  // B, fetched the rest from wherever it could (B relays headers, serves what it holds).
  auto held = exportedFeed(*b, author, dir_.file("b-a.feed"));
  ASSERT_EQ(held.size(), 21u);
  EXPECT_TRUE(held[0].signed_update.body.empty());  // a ClusterProfile: not subscribed
  for (size_t i = 1; i < held.size(); ++i) {
    EXPECT_EQ(held[i].signed_update.body.empty(), i % 2 == 0) << "course a/" << i - 1;
  }
  // A body B does not hold: `get` has the daemon fetch it from a peer.
  nlohmann::json got = nlohmann::json::parse(b->ok({"get", "a/1", "--json"}));
  ASSERT_EQ(got["records"].size(), 1u);
  EXPECT_TRUE(got["records"][0].contains("record")) << got.dump();
  EXPECT_FALSE(exportedFeed(*b, author, dir_.file("b-a2.feed"))[2].signed_update.body.empty());

  // A erases a/0, whose body every node holds: each drops it, keeps the header, and agrees.
  a->ok({"erase", "--kind", "resource", "--id", "a/0"});
  ASSERT_TRUE(
      waitFor([&] { return c->seqOf(author) == 22 && b->seqOf(author) == 22; }, seconds(30)))
      << logs(all);
  ASSERT_TRUE(converged(all, seconds(30))) << logs(all);
  for (NodeProcess* n : all) {
    auto feed = exportedFeed(*n, author, n->dir() + "-erased.feed");
    ASSERT_EQ(feed.size(), 22u) << n->dir();
    EXPECT_TRUE(feed[1].signed_update.body.empty()) << n->dir();
    EXPECT_EQ(feed[21].fields.op, feed::Op::ERASE);
    EXPECT_EQ(feed[21].fields.erases, std::vector<uint64_t>{2});
    EXPECT_NE(n->cli({"get", "a/0"}).exit_code, 0) << n->dir();  // gone from get
  }
  for (NodeProcess* n : all) EXPECT_EQ(n->stop(), 0);
}

TEST_F(BodiesTest, BodiesThatDoNotMatchTheirHashAreRefusedAndCounted) {
  auto a = node("a");
  auto b = node("b");
  subscribeToHealthcareCourses(*b);
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  FeedUpdates feed = makeFeed(*key, kTestNetwork, "raw", 10, 1'700'000'000'000);
  a->start();
  b->start();
  std::set<std::string> nodes;
  for (NodeProcess* n : {a.get(), b.get()}) {
    auto card = home::parsePeerCard(n->card());
    ASSERT_TRUE(card.ok());
    nodes.insert(card->transport_public_z85);
  }
  // An honest server of headers whose bodies, when asked for by hash, come back altered.
  RawPeer raw(std::move(key).value(), nodes,
              [&feed](const std::string&, const wire::Message& message) -> std::vector<Bytes> {
                const auto* want = std::get_if<wire::WantBodies>(&message);
                if (want == nullptr) return honestAnswer(kTestNetwork, {feed}, message);
                wire::Bodies bodies;
                for (const wire::BodyRef& ref : want->refs) {
                  Bytes body =
                      ref.seq >= 1 && ref.seq <= feed.size() ? feed[ref.seq - 1].body : Bytes{};
                  if (!body.empty()) body.back() ^= 0x01;
                  bodies.items.push_back({ref, std::move(body)});
                }
                return {wire::encode(bodies)};
              });
  for (NodeProcess* n : {a.get(), b.get()}) {
    n->ok({"peer", "add", raw.card()});
    n->ok({"trust", "add", raw.nodeIdHex()});
  }
  const std::string author = raw.nodeIdHex();
  ASSERT_TRUE(waitFor([&] { return rejected(b->daemonStatus(), "body hash") >= 10; }, seconds(30)))
      << b->daemonStatus().dump() << " " << logs({b.get()});
  ASSERT_TRUE(
      waitFor([&] { return a->seqOf(author) == 10 && b->seqOf(author) == 10; }, seconds(30)));
  // A asked with bodies (it keeps everything) and got the honest ones; B refused every altered
  // one and holds none, but the same verified headers, so the same records' state.
  auto at_b = exportedFeed(*b, author, dir_.file("b-raw.feed"));
  auto at_a = exportedFeed(*a, author, dir_.file("a-raw.feed"));
  ASSERT_EQ(at_b.size(), 10u);
  ASSERT_EQ(at_a.size(), 10u);
  for (size_t i = 0; i < at_b.size(); ++i) {
    EXPECT_EQ(at_b[i].hash, at_a[i].hash);
    EXPECT_TRUE(at_b[i].signed_update.body.empty());
    EXPECT_FALSE(at_a[i].signed_update.body.empty());
  }
  EXPECT_EQ(b->status()["records"]["LearningResource"], 10);
  EXPECT_EQ(a->status()["records"]["LearningResource"], 10);
  EXPECT_EQ(a->stop(), 0);
  EXPECT_EQ(b->stop(), 0);
}

}  // namespace
}  // namespace eichub::testing
