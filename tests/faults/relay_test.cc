// A relay that lies (docs/reliability.md cases 14 and 35) in a diamond A->B->D, A->C->D: B is a raw
// peer that relays A's feed to D, withholding its second half (14) or dropping, altering the
// body of, or altering the header of every 10th update, or reordering the feed (35); C is an
// honest node. D must get the whole feed through C, accept nothing B altered, count B's runs it
// refused, and warn in `status` while a peer announces more of a feed than it can get.
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "federation/feed/update.h"
#include "tests/faults/figures.h"
#include "tests/faults/history.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr size_t kUpdates = 100;

// One relayed update with the seq it claims (dropped ones leave gaps).
struct Relayed {
  uint64_t seq;
  feed::SignedUpdate update;
};

// Answers wants from the relayed list, in runs of at most kMaxBatchUpdates; hello announces
// the honest head.
ServeScript relay(FeedUpdates honest, std::vector<Relayed> relayed) {
  return [honest = std::move(honest), relayed = std::move(relayed)](const std::string&,
                                                                    const wire::Message& m) {
    const auto* want = std::get_if<wire::Want>(&m);
    if (want == nullptr) return honestAnswer(kTestNetwork, {honest}, m);
    std::vector<Bytes> out;
    wire::Updates run;
    for (const Relayed& r : relayed) {
      if (r.seq < want->from_seq || r.seq >= want->from_seq + want->credit) continue;
      run.updates.push_back(r.update);
      if (want->headers_only) run.updates.back().body.clear();
      if (run.updates.size() == wire::kMaxBatchUpdates) {
        out.push_back(wire::encode(run));
        run.updates.clear();
      }
    }
    if (!run.updates.empty()) out.push_back(wire::encode(run));
    return out;
  };
}

class RelayAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<NodeProcess>(dir_.file("a"), "a cluster", "UKE42");
    c_ = std::make_unique<NodeProcess>(dir_.file("c"), "c cluster", "DE501");
    d_ = std::make_unique<NodeProcess>(dir_.file("d"), "d cluster", "DE502");
    const std::string records = dir_.file("a.jsonl");
    writeResources(records, "a", kUpdates, 100);
    a_->ok({"publish", records});
    a_->start();
    c_->start();
    d_->start();
    peerBothWays(*a_, *c_);
    author_ = a_->nodeId();
    d_->ok({"trust", "add", author_});
    total_ = a_->seqOf(author_);  // the records and the node's own profile
    ASSERT_TRUE(waitFor([&] { return c_->seqOf(author_) == total_; }, seconds(60)));
    HeldFeed held = exportFeed(*a_, author_, dir_.file("a.feed"));
    ASSERT_TRUE(held.error.empty()) << held.error;
    for (auto& u : held.updates) honest_.push_back(u.signed_update);
    ASSERT_EQ(honest_.size(), total_);
  }
  std::unique_ptr<RawPeer> startRelay(std::vector<Relayed> relayed) {
    auto raw = std::make_unique<RawPeer>(crypto::SigningKey::generate().value(),
                                         std::set<std::string>{transportKeyOf(*d_)},
                                         relay(honest_, std::move(relayed)));
    d_->ok({"peer", "add", raw->card()});
    return raw;
  }
  // D holds A's feed byte for byte (every header, signature and body) and C's digest.
  void expectHonestCopy() {
    HeldFeed held = exportFeed(*d_, author_, dir_.file("d.feed"));
    ASSERT_TRUE(held.error.empty()) << held.error;
    ASSERT_EQ(held.updates.size(), total_);
    tampered_accepted_ = 0;
    for (size_t i = 0; i < total_; ++i) {
      const feed::SignedUpdate& got = held.updates[i].signed_update;
      if (got.header != honest_[i].header || got.signature != honest_[i].signature ||
          got.body != honest_[i].body) {
        ++tampered_accepted_;
      }
    }
    EXPECT_EQ(tampered_accepted_, 0u);
    // C and D hold the same feeds (A's, C's, D's); A does not accept D's own feed.
    EXPECT_TRUE(converged({d_.get(), c_.get()}, seconds(30)));
  }
  // The relay (B) serves relayed to D until D refuses one of its runs; then C is linked to D,
  // which must get the whole feed through C with nothing B altered. altered: the updates B
  // dropped, altered or moved.
  void bypassedThroughC(std::vector<Relayed> relayed, const std::string& name, int altered) {
    auto raw = startRelay(std::move(relayed));
    const std::string raw_key = raw->transportKeys().public_z85;
    ASSERT_TRUE(waitFor([&] { return rejectedAll(d_->daemonStatus(), raw_key) >= 1; }, seconds(30)))
        << logs();
    const uint64_t held_from_b = d_->seqOf(author_);
    const int64_t start = steadyMs();
    peerBothWays(*c_, *d_);
    ASSERT_TRUE(waitFor([&] { return d_->seqOf(author_) == total_; }, seconds(60))) << logs();
    const int64_t recovery_ms = steadyMs() - start;
    expectHonestCopy();
    nlohmann::json daemon = d_->daemonStatus();
    nlohmann::json reasons;
    for (const auto& link : daemon["links"]) {
      if (link["peer_key"] == raw_key) reasons = link["rejected_by_reason"];
    }
    EXPECT_GE(rejectedAll(daemon, raw_key), 1u);
    reportFigures({{"case", name},
                   {"updates", total_},
                   {"altered_by_relay", altered},
                   {"held_from_relay_alone", held_from_b},
                   {"relay_rejections", reasons},
                   {"tampered_accepted", tampered_accepted_},
                   {"source_switches", daemon["source_switches"]},
                   {"ms_recovery_via_c", recovery_ms}});
  }
  std::string logs() const { return testing::logs({d_.get(), c_.get()}); }
  // The value of D's eichub_feeds_stale{reason="withheld"} gauge, or "" when not scraped.
  std::string withheldMetric() const {
    const std::string series = "eichub_feeds_stale{reason=\"withheld\"} ";
    HttpAnswer metrics = httpGet(d_->httpAddress(), "/metrics");
    size_t at = metrics.body.find(series);
    if (at == std::string::npos) return "";
    at += series.size();
    return metrics.body.substr(at, metrics.body.find('\n', at) - at);
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> a_, c_, d_;
  std::string author_;
  uint64_t total_ = 0;  // seqs in A's feed
  FeedUpdates honest_;
  uint64_t tampered_accepted_ = 0;
};

// 35: every 10th update dropped, its body altered, or its header altered, in turn.
TEST_F(RelayAttackTest, ByzantineRelayIsBypassedThroughTheHonestPath) {
  std::vector<Relayed> relayed;
  int altered = 0;
  for (uint64_t seq = 1; seq <= total_; ++seq) {
    feed::SignedUpdate u = honest_[seq - 1];
    if (seq % 10 == 0) {
      ++altered;
      if (seq % 30 == 10) continue;  // dropped
      if (seq % 30 == 20) {
        u.body.back() ^= 0x01;  // the body no longer matches its signed hash
      } else {
        auto fields = feed::decodeHeader(u.header);
        ASSERT_TRUE(fields.ok());
        fields->time_ms += 1;  // a header the author never signed
        u.header = feed::encodeHeader(*fields);
      }
    }
    relayed.push_back({seq, std::move(u)});
  }
  bypassedThroughC(std::move(relayed), "35 byzantine relay", altered);
}

// 35, reordering: the relay sends every update unaltered, each pair of neighbours swapped.
TEST_F(RelayAttackTest, ReorderingRelayIsBypassedThroughTheHonestPath) {
  std::vector<Relayed> relayed;
  for (uint64_t seq = 1; seq <= total_; ++seq) relayed.push_back({seq, honest_[seq - 1]});
  for (size_t i = 0; i + 1 < relayed.size(); i += 2) std::swap(relayed[i], relayed[i + 1]);
  bypassedThroughC(std::move(relayed), "35 reordering relay", static_cast<int>(total_ / 2 * 2));
}

// 14: the relay announces A's head but serves only the first half; D warns, then gets the
// rest through C.
TEST_F(RelayAttackTest, WithholdingRelayRaisesAStaleWarningUntilCDelivers) {
  std::vector<Relayed> relayed;
  for (uint64_t seq = 1; seq <= total_ / 2; ++seq) relayed.push_back({seq, honest_[seq - 1]});
  auto raw = startRelay(std::move(relayed));
  ASSERT_TRUE(waitFor([&] { return d_->seqOf(author_) == total_ / 2; }, seconds(30))) << logs();
  const int64_t half = steadyMs();
  ASSERT_TRUE(waitFor(
      [&] {
        nlohmann::json feed = daemonFeed(d_->daemonStatus(), author_);
        return feed.is_object() && feed["withheld"].get<bool>();
      },
      seconds(60)))
      << logs();
  const int64_t warned_ms = steadyMs() - half;
  EXPECT_EQ(d_->daemonStatus()["withheld_feeds"].get<uint64_t>(), 1u);
  EXPECT_NE(d_->ok({"status"}).find("warning"), std::string::npos);
  EXPECT_TRUE(waitFor([&] { return withheldMetric() == "1"; }, seconds(5))) << withheldMetric();
  const int64_t start = steadyMs();
  peerBothWays(*c_, *d_);
  ASSERT_TRUE(waitFor([&] { return d_->seqOf(author_) == total_; }, seconds(60))) << logs();
  const int64_t catch_up_ms = steadyMs() - start;
  EXPECT_TRUE(waitFor([&] { return d_->daemonStatus()["withheld_feeds"] == 0; }, seconds(10)));
  EXPECT_TRUE(waitFor([&] { return withheldMetric() == "0"; }, seconds(5))) << withheldMetric();
  expectHonestCopy();
  reportFigures({{"case", "14 withholding relay"},
                 {"updates", total_},
                 {"served_by_relay", total_ / 2},
                 {"ms_to_stale_warning", warned_ms},
                 {"ms_catch_up_via_c", catch_up_ms},
                 {"tampered_accepted", tampered_accepted_}});
}

}  // namespace
}  // namespace eichub::testing
