// Endless or slow data (docs/reliability.md case 29): A pulls B's feed through a proxy that
// trickles 16 kB/s, so no batch finishes; C holds the same feed on a direct link. A's per-feed
// progress timeout (want_timeout_ms, 5 s) must move the pull to C, and A must converge long before
// the trickle could deliver. The other side of the same timeout: a source that is slow but finishes
// each batch within it keeps the pull, however long the whole pull takes.
#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "tests/faults/fault_proxy.h"
#include "tests/faults/figures.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr size_t kUpdates = 3000;  // about 1.2 MB: over a minute at the trickle's rate
constexpr uint64_t kTrickleBytesPerS = 16 * 1024;
// A full batch (1,024 of these updates with their bodies, about 760 kB) crosses in about 2.4 s,
// half the progress timeout; the whole feed (2.2 MB) takes longer than the timeout. At half
// this rate a batch took 4.7 s, and the timeout once moved the pull.
constexpr uint64_t kSlowBytesPerS = 320 * 1024;
constexpr int64_t kWantTimeoutMs = 5'000;  // SyncOptions::want_timeout_ms, the daemon's default

// Lines of a daemon's log that report a pull of author's feed moved to another source.
int sourceSwitchesLogged(const NodeProcess& node, const std::string& author) {
  std::ifstream log(node.logFile());
  const std::string event = "event=sync_source_switched author=" + author.substr(0, 16);
  int count = 0;
  for (std::string line; std::getline(log, line);) count += line.find(event) != std::string::npos;
  return count;
}

// B publishes kUpdates, C holds B's whole feed, A starts empty. pullThrough() then links A to
// B through a proxy at the given rate and waits until A, with B as its only source, has learned
// B's head and started pulling; the test then links A to C.
class LinkFaultSwitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string records = dir_.file("b.jsonl");
    writeResources(records, "b", kUpdates, 200);
    b_.ok({"publish", records});
    b_.start();
    c_.start();
    a_.start();
    peerBothWays(b_, c_);
    author_ = b_.nodeId();
    total_ = b_.seqOf(author_);  // the records and B's own profile
    ASSERT_TRUE(waitFor([&] { return c_.seqOf(author_) == total_; }, seconds(60))) << c_.logFile();
  }

  void pullThrough(FaultProxy& to_b, uint64_t bytes_per_second) {
    FaultSettings settings;
    settings.bytes_per_second = bytes_per_second;
    to_b.set(settings);
    peerVia(a_, b_, to_b);
    b_.ok({"peer", "add", a_.card()});  // B's ZAP admits A
    ASSERT_TRUE(waitFor(
        [&] {
          nlohmann::json feed = daemonFeed(a_.daemonStatus(), author_);
          return feed.is_object() && feed["best_remote_seq"].get<uint64_t>() == total_;
        },
        seconds(30)))
        << a_.logFile();
  }

  // Updates A received on its client link to node.
  static uint64_t updatesVia(const nlohmann::json& daemon, const NodeProcess& node) {
    return linkCounter(daemon, transportKeyOf(node), "client", "updates_received");
  }

  TempDir dir_;
  NodeProcess a_{dir_.file("a"), "a cluster", "UKE42"};
  NodeProcess b_{dir_.file("b"), "b cluster", "DE501"};
  NodeProcess c_{dir_.file("c"), "c cluster", "DE502"};
  std::string author_;  // B's feed
  uint64_t total_ = 0;
};

TEST_F(LinkFaultSwitchTest, TricklingSourceIsLeftForAPeerThatHasTheData) {
  FaultProxy to_b(peerPort(b_));
  ASSERT_NO_FATAL_FAILURE(pullThrough(to_b, kTrickleBytesPerS));
  const int64_t start = steadyMs();
  peerBothWays(a_, c_);
  ASSERT_TRUE(waitFor([&] { return a_.seqOf(author_) == total_; }, seconds(90)))
      << "A did not leave the trickling source; " << a_.logFile();
  const int64_t converged_ms = steadyMs() - start;
  nlohmann::json daemon = a_.daemonStatus();
  const uint64_t via_b = updatesVia(daemon, b_);
  const uint64_t via_c = updatesVia(daemon, c_);
  EXPECT_GT(via_c, 0u) << daemon.dump();
  EXPECT_LT(via_b, total_) << "everything came through the trickle";
  EXPECT_EQ(a_.digest(), c_.digest());
  reportFigures({{"case", "29 trickling source"},
                 {"updates", kUpdates},
                 {"trickle_bytes_per_s", kTrickleBytesPerS},
                 {"ms_from_second_source_to_converged", converged_ms},
                 {"source_switches", daemon["source_switches"]},
                 {"updates_via_b", via_b},
                 {"updates_via_c", via_c},
                 {"bytes_through_trickle", to_b.bytesForwarded()}});
}

TEST_F(LinkFaultSwitchTest, SlowSourceFinishingEachBatchInTimeKeepsThePull) {
  FaultProxy to_b(peerPort(b_));
  const int64_t start = steadyMs();
  ASSERT_NO_FATAL_FAILURE(pullThrough(to_b, kSlowBytesPerS));
  peerBothWays(a_, c_);  // C, with the whole feed on a fast link, arrives mid-pull
  ASSERT_TRUE(waitFor([&] { return a_.seqOf(author_) == total_; }, seconds(90))) << a_.logFile();
  const int64_t converged_ms = steadyMs() - start;
  nlohmann::json daemon = a_.daemonStatus();
  const uint64_t via_b = updatesVia(daemon, b_);
  const uint64_t via_c = updatesVia(daemon, c_);
  // The pull outlived the timeout, so the timeout was tested, and never left B. (C's one-update
  // feed, asked of B behind B's batches, may time out and move to C: that is the timeout's job.)
  EXPECT_GT(converged_ms, kWantTimeoutMs);
  const int switches_of_b_feed = sourceSwitchesLogged(a_, author_);
  EXPECT_EQ(switches_of_b_feed, 0) << a_.logFile();
  // Every update of B's feed came from B; C's link carried at most C's own one-update feed.
  EXPECT_GE(via_b, total_) << daemon.dump();
  EXPECT_LE(via_c, 1u) << daemon.dump();
  EXPECT_EQ(a_.digest(), c_.digest());
  reportFigures({{"case", "29 slow source within the timeout"},
                 {"updates", kUpdates},
                 {"throttle_bytes_per_s", kSlowBytesPerS},
                 {"ms_to_converged", converged_ms},
                 {"switches_of_b_feed", switches_of_b_feed},
                 {"source_switches_all_feeds", daemon["source_switches"]},
                 {"updates_via_b", via_b},
                 {"updates_via_c", via_c},
                 {"bytes_through_throttle", to_b.bytesForwarded()}});
}

}  // namespace
}  // namespace eichub::testing
