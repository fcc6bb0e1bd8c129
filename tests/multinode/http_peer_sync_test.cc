// The HTTP view of where feeds are, from a node whose peer is scripted (a raw peer): the peer
// announces an old head of the node's feed and a feed it never serves, so the node sees it both
// behind and ahead. Checks /api/v1/peers (lag), /api/v1/feeds (holders), /metrics and the
// counts per origin region in /api/v1/status.
#include <chrono>

#include <gtest/gtest.h>

#include "node/home/home.h"
#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr uint64_t kOwnSeq = 6;  // the cluster profile and five courses
constexpr uint64_t kAnnouncedOwnSeq = 2;
constexpr size_t kRawFeed = 10;

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const json* findBy(const json& list, const std::string& key, const std::string& value) {
  for (const json& item : list) {
    if (item.contains(key) && item[key] == value) return &item;
  }
  return nullptr;
}

class HttpPeerSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<NodeProcess>(dir_.file("b"), "Bremen", "DE50");
    writeResources(dir_.file("b.jsonl"), "bremen", 5);
    node_->ok({"publish", dir_.file("b.jsonl")});
    node_->start();
    self_ = node_->nodeId();
    auto card = home::parsePeerCard(node_->card());
    ASSERT_TRUE(card.ok());
    crypto::SigningKey key = crypto::SigningKey::generate().value();
    const FeedUpdates raw_feed = makeFeed(key, kTestNetwork, "raw", kRawFeed, nowMs());
    raw_author_ = toHex(headOf(raw_feed).author);
    wire::HeadInfo old_own{card->node_id, kAnnouncedOwnSeq, {}};
    // Hello: the raw feed's head and an old head of the node's feed; wants go unanswered.
    raw_ = std::make_unique<RawPeer>(
        std::move(key), std::set<std::string>{card->transport_public_z85},
        [raw_feed, old_own](const std::string&, const wire::Message& message) {
          std::vector<Bytes> out;
          if (std::holds_alternative<wire::Hello>(message)) {
            wire::Hello hello = helloWithHeads(kTestNetwork, {raw_feed});
            hello.heads.push_back(old_own);
            out.push_back(wire::encode(hello));
          }
          return out;
        });
    raw_id_ = raw_->nodeIdHex();
    node_->ok({"peer", "add", raw_->card()});
    node_->ok({"trust", "add", raw_id_});
    http_ = node_->httpAddress();
  }

  // The node's client link to the raw peer, once its heads are known.
  json rawLink() {
    json peers = httpGetJson(http_, "/api/v1/peers");
    if (!peers.is_object()) return json();
    for (const json& peer : peers["peers"]) {
      if (peer["node_id"] == raw_id_ && peer["role"] == "client" &&
          peer["lag"]["behind_updates"].is_number()) {
        return peer;
      }
    }
    return json();
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<RawPeer> raw_;
  std::string self_, raw_id_, raw_author_, http_;
};

TEST_F(HttpPeerSyncTest, PeersShowLagBothWaysInUpdatesAndSeconds) {
  json link;
  ASSERT_TRUE(waitFor(
      [&] {
        link = rawLink();
        return link.is_object() && link["lag"]["ahead_seconds"].get<double>() > 0;
      },
      seconds(30)))
      << link.dump() << " see " << node_->logFile();
  EXPECT_EQ(link["lag"]["behind_updates"], kOwnSeq - kAnnouncedOwnSeq);
  EXPECT_EQ(link["lag"]["ahead_updates"], kRawFeed);
  EXPECT_GE(link["lag"]["behind_seconds"].get<double>(), 0.0);
  EXPECT_TRUE(link["lag_seconds"].is_number());
  EXPECT_TRUE(link["idle_seconds"].is_number());
  // Server links carry no heads: their lag is unknown, not zero.
  json peers = httpGetJson(http_, "/api/v1/peers");
  for (const json& peer : peers["peers"]) {
    if (peer["role"] == "server") {
      EXPECT_TRUE(peer["lag"]["behind_updates"].is_null()) << peer;
    }
  }

  HttpAnswer metrics = httpGet(http_, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  const std::string label = raw_id_.substr(0, 16);
  EXPECT_NE(metrics.body.find("eichub_peer_lag_updates{direction=\"peer_behind\",peer=\"" + label +
                              "\"} 4"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("eichub_peer_lag_updates{direction=\"peer_ahead\",peer=\"" + label +
                              "\"} 10"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("eichub_peer_lag_seconds{direction=\"peer_ahead\""),
            std::string::npos);
  EXPECT_NE(metrics.body.find("eichub_peer_idle_seconds{"), std::string::npos);
}

TEST_F(HttpPeerSyncTest, FeedsListTheirHoldersAtHeadBehindOrMissing) {
  ASSERT_TRUE(waitFor([&] { return rawLink().is_object(); }, seconds(30))) << node_->logFile();
  json feeds = httpGetJson(http_, "/api/v1/feeds")["feeds"];
  const json* own = findBy(feeds, "author", self_);
  ASSERT_NE(own, nullptr) << feeds;
  ASSERT_EQ((*own)["holders"].size(), 2u) << *own;
  const json& self_holder = (*own)["holders"][0];
  EXPECT_EQ(self_holder["self"], true);
  EXPECT_EQ(self_holder["peer"], self_);
  EXPECT_EQ(self_holder["seq"], kOwnSeq);
  EXPECT_EQ(self_holder["state"], "at_head");
  const json* raw_holds_own = findBy((*own)["holders"], "peer", raw_id_);
  ASSERT_NE(raw_holds_own, nullptr);
  EXPECT_EQ((*raw_holds_own)["seq"], kAnnouncedOwnSeq);
  EXPECT_EQ((*raw_holds_own)["state"], "behind");
  EXPECT_EQ((*raw_holds_own)["at_head"], false);

  // The raw feed: announced, never served, so this node lacks it and the peer is at its head.
  const json* raw_feed = findBy(feeds, "author", raw_author_);
  ASSERT_NE(raw_feed, nullptr) << feeds;
  EXPECT_EQ((*raw_feed)["holders"][0]["state"], "missing");
  const json* raw_holds_raw = findBy((*raw_feed)["holders"], "peer", raw_id_);
  ASSERT_NE(raw_holds_raw, nullptr);
  EXPECT_EQ((*raw_holds_raw)["seq"], kRawFeed);
  EXPECT_EQ((*raw_holds_raw)["state"], "at_head");
}

// The raw peer never serves its feed: the node stays in catch-up, which every surface shows.
TEST_F(HttpPeerSyncTest, CatchUpShowsInStatusReadinessAndTheCliBar) {
  json status;
  ASSERT_TRUE(waitFor(
      [&] {
        status = httpGetJson(http_, "/api/v1/status");
        return status.is_object() && status["sync"]["catching_up"] == true;
      },
      seconds(30)))
      << status.dump();
  EXPECT_EQ(status["sync"]["held_updates"], kOwnSeq);
  EXPECT_EQ(status["sync"]["announced_updates"], kOwnSeq + kRawFeed);
  EXPECT_LT(status["sync"]["progress"].get<double>(), 1.0);
  EXPECT_EQ(httpGet(http_, "/readyz").status, 503);
  ProcessResult cli = node_->cli({"status"});
  EXPECT_EQ(cli.exit_code, 0) << cli.err;
  // `eichub status` draws the bar even when its output is not a terminal.
  EXPECT_NE(cli.out.find("catching up ["), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("] " + std::string(" 38% 6/16 updates")), std::string::npos) << cli.out;
}

TEST_F(HttpPeerSyncTest, StatusCountsRecordsPerOriginRegion) {
  json status = httpGetJson(http_, "/api/v1/status");
  ASSERT_TRUE(status.is_object());
  const json& regions = status["records_by_region"];
  EXPECT_EQ(regions["DE50"]["LearningResource"], 5) << regions;
  EXPECT_EQ(regions["DE50"]["ClusterProfile"], 1) << regions;
  EXPECT_EQ(regions.size(), 1u) << regions;  // nothing from the raw peer is held
}

}  // namespace
}  // namespace eichub::testing
