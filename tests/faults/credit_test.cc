// Credit violation (docs/reliability.md case 28): four raw peers at once ask A for a feed again and
// again, and for more than the credit cap at once, and never read what A sends. A serves each at
// most the cap per feed per re-ask interval (CreditLedger), counts the violations with their
// reasons, keeps its memory within the bound computed below, and keeps syncing with the honest
// peer B.
#include <chrono>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/faults/non_reading_peers.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint64_t kWantCredit = 4096;       // sync::SyncOptions::want_credit, the default
constexpr uint64_t kCap = 2 * kWantCredit;   // the ledger's cap per link and feed
constexpr int64_t kReaskGapMs = 5'000 / 2;   // want_timeout_ms / 2
constexpr size_t kFeedUpdates = 4096;        // A's feed: one want of the whole credit
constexpr size_t kBodyBytes = 1000;          // per record, so an update is about 1.2 kB
constexpr uint64_t kUpdateBytesMax = 2'048;  // generous bound of one served update
constexpr int kFloodingPeers = 4;
constexpr int kRepeatedWants = 300;       // per flooding peer
constexpr milliseconds kWantPause{20};    // 300 rounds of wants over about 6 s
constexpr uint64_t kSlackKb = 48 * 1024;  // allocator and socket buffers

TEST(CreditAttackTest, WantsWithoutReadingStayWithinTheCreditCap) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  const std::string records = dir.file("a.jsonl");
  writeResources(records, "a", kFeedUpdates, kBodyBytes);
  a.ok({"publish", records});
  a.start();
  b.start();
  peerBothWays(a, b);
  const std::string a_id = a.nodeId();
  ASSERT_TRUE(waitFor([&] { return b.seqOf(a_id) == a.seqOf(a_id); }, seconds(60)));

  auto parsed = fixedFromHex<32>(a_id);
  ASSERT_TRUE(parsed);
  const PublicKey author = *parsed;
  std::vector<std::unique_ptr<RawPeer>> raws;
  ASSERT_NO_FATAL_FAILURE(connectNonReadingPeers(a, kFloodingPeers, raws));
  const uint64_t rss_before = daemonRssKb(a);

  const int64_t start = steadyMs();
  for (auto& raw : raws) ASSERT_TRUE(raw->send(wire::Want{author, 1, 65'536}));  // over the cap
  uint64_t rss_peak = rss_before;
  // A want the raw peer's own queue pushes back on (A reads slowly under a sanitizer) is not
  // sent; only the wants that left count.
  uint64_t wants_sent = 0;
  for (int i = 0; i < kRepeatedWants; ++i) {
    for (auto& raw : raws) {
      wants_sent += raw->send(wire::Want{author, 1, static_cast<uint32_t>(kWantCredit)}) ? 1 : 0;
    }
    std::this_thread::sleep_for(kWantPause);
    if (i % 10 == 0) rss_peak = std::max(rss_peak, daemonRssKb(a));
  }
  const int64_t flood_ms = steadyMs() - start;
  auto everyPeerCounted = [&](const nlohmann::json& status) {
    for (auto& raw : raws) {
      if (rejectedFor(status, raw->transportKeys().public_z85, "credit exceeded") < 1) {
        return false;
      }
    }
    return status["wants_refused"].value("re-ask too soon", uint64_t{0}) +
               status["wants_refused"].value("answer still queued", uint64_t{0}) >
           0;
  };
  nlohmann::json daemon;
  ASSERT_TRUE(waitFor(
      [&] {
        daemon = a.daemonStatus();
        return everyPeerCounted(daemon);
      },
      seconds(20)))
      << daemon.dump() << " " << a.logFile();
  rss_peak = std::max(rss_peak, daemonRssKb(a));
  // At most one answer of the cap per peer and re-ask interval, each update at most
  // kUpdateBytesMax.
  const uint64_t answers = 1 + static_cast<uint64_t>(flood_ms / kReaskGapMs);
  const uint64_t bound_kb = kFloodingPeers * answers * kCap * kUpdateBytesMax / 1024 + kSlackKb;
  // Unanswered re-asks: too soon after the last answer, or while that answer is still queued
  // for the peer (it does not read).
  const uint64_t refused = daemon["wants_refused"].value("re-ask too soon", uint64_t{0}) +
                           daemon["wants_refused"].value("answer still queued", uint64_t{0});
  EXPECT_GE(refused + kFloodingPeers * (answers + 1), wants_sent);
  expectRssGrowthUnder(rss_before, rss_peak, bound_kb, "A's RSS under the wants");

  // B keeps syncing both ways while the raw peer's link stays clogged.
  const std::string b_records = dir.file("b.jsonl");
  writeResources(b_records, "b", 3);
  b.ok({"publish", b_records});
  const std::string a_more = dir.file("a2.jsonl");
  writeResources(a_more, "a2", 3);
  a.ok({"publish", a_more});
  const std::string b_id = b.nodeId();
  EXPECT_TRUE(
      waitFor([&] { return a.seqOf(b_id) == b.seqOf(b_id) && b.seqOf(a_id) == a.seqOf(a_id); },
              seconds(30)))
      << a.logFile() << " " << b.logFile();
  EXPECT_EQ(a.digest(), b.digest());
  uint64_t credit_exceeded = 0;
  for (auto& raw : raws) {
    credit_exceeded += rejectedFor(daemon, raw->transportKeys().public_z85, "credit exceeded");
  }
  reportFigures({{"case", "28 wants without reading"},
                 {"flooding_peers", kFloodingPeers},
                 {"wants_sent", kFloodingPeers + wants_sent},
                 {"flood_ms", flood_ms},
                 {"credit_exceeded", credit_exceeded},
                 {"reask_refused", refused},
                 {"answers_allowed_max", answers},
                 {"rss_before_kb", rss_before},
                 {"rss_peak_kb", rss_peak},
                 {"rss_bound_kb", bound_kb},
                 {"hwm_bound_mb", (1000 + 1000) * 8},  // (SNDHWM + RCVHWM) x MAXMSGSIZE
                 {"dropped_sends", daemon["dropped_sends"]}});
}

}  // namespace
}  // namespace eichub::testing
