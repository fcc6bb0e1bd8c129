// Serving has a byte budget (issue 17, finding 4): raw peers ask node A for a feed of about
// 66 MB and never read what A sends, one re-asking the whole feed, the other claiming in each
// want that it holds what it was sent. A reads from its store and queues for each at most its
// byte budget and send queue, counts the stall, keeps its memory within the bound computed
// below, and the honest peer B still pulls the whole feed meanwhile.
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

constexpr size_t kRecords = 1'100;
constexpr size_t kBodyBytes = 60'000;  // a description under catalog::kMaxTextBytes (64 KiB)
constexpr uint32_t kWantCredit = 4'096;
constexpr int kRounds = 60;          // wants per attacker
constexpr milliseconds kPause{200};  // 60 rounds over about 12 s: five re-ask gaps
constexpr uint64_t kMiB = 1024 * 1024;
// What a link that does not read may cost A: its send queue (limits.sync.send_queue_bytes,
// 32 MiB) and 4 messages of up to 4 MiB in ZeroMQ (limits.transport.router_send_hwm x
// wire::kMaxBatchBytes). B reads: its budget (sync::kServeBudgetBytes, 16 MiB) and ZeroMQ's
// 16 MiB. Plus the allocator, LMDB pages read and one read batch. Before the fix each re-ask of
// the whole feed (about 66 MB) was queued again in ZeroMQ (1,000 messages per peer).
constexpr uint64_t kNonReaderKb = (32 + 16) * kMiB / 1024;
constexpr uint64_t kReaderKb = (16 + 16) * kMiB / 1024;
constexpr uint64_t kSlackKb = 48 * kMiB / 1024;

TEST(ServeBudgetAttackTest, PeersThatNeverReadALargeFeedCostTheServerItsBudgetOnly) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  const std::string records = dir.file("a.jsonl");
  writeResources(records, "a", kRecords, kBodyBytes);
  a.ok({"publish", records});
  a.start();
  b.start();
  const std::string a_id = a.nodeId();
  const uint64_t head = a.seqOf(a_id);
  ASSERT_GE(head, kRecords);
  auto parsed = fixedFromHex<32>(a_id);
  ASSERT_TRUE(parsed);
  const PublicKey author = *parsed;

  std::vector<std::unique_ptr<RawPeer>> raws;
  ASSERT_NO_FATAL_FAILURE(connectNonReadingPeers(a, 2, raws));
  const uint64_t rss_before = daemonRssKb(a);
  uint64_t rss_peak = rss_before;

  // B pulls the same feed meanwhile, through the same budget.
  peerBothWays(a, b);
  const int64_t start = steadyMs();
  for (int round = 0; round < kRounds; ++round) {
    // raws[0] re-asks the whole feed; raws[1] claims it holds what it asked before.
    (void)raws[0]->send(wire::Want{author, 1, kWantCredit});
    const uint64_t from = std::min<uint64_t>(head, 1 + 20 * static_cast<uint64_t>(round));
    (void)raws[1]->send(wire::Want{author, from, kWantCredit, false, /*held_seq=*/from - 1});
    std::this_thread::sleep_for(kPause);
    rss_peak = std::max(rss_peak, daemonRssKb(a));
  }
  const int64_t flood_ms = steadyMs() - start;
  ASSERT_TRUE(waitFor(
      [&] {
        rss_peak = std::max(rss_peak, daemonRssKb(a));
        return b.seqOf(a_id) == head;
      },
      seconds(120)))
      << "B did not pull A's feed; " << a.logFile() << " " << b.logFile();
  const int64_t b_synced_ms = steadyMs() - start;
  EXPECT_EQ(a.digest(), b.digest());

  nlohmann::json daemon = a.daemonStatus();
  ASSERT_TRUE(daemon.is_object()) << a.logFile();
  const uint64_t budget_full = daemon["wants_refused"].value("byte budget full", uint64_t{0});
  const uint64_t still_queued = daemon["wants_refused"].value("answer still queued", uint64_t{0});
  EXPECT_GT(budget_full, 0u) << daemon["wants_refused"].dump();
  EXPECT_GT(still_queued, 0u) << daemon["wants_refused"].dump();
  // Flow control, not misbehaviour: the links are not blamed for it.
  for (auto& raw : raws) {
    EXPECT_EQ(rejectedFor(daemon, raw->transportKeys().public_z85, "credit exceeded"), 0u);
  }
  const uint64_t bound_kb = 2 * kNonReaderKb + kReaderKb + kSlackKb;
  expectRssGrowthUnder(rss_before, rss_peak, bound_kb, "A's RSS under peers that never read");
  // Reported, not bounded: a raw peer that never reads misses its own heartbeats and
  // reconnects every few seconds, and each new session is served its budget afresh.
  const uint64_t updates_sent =
      linkCounter(daemon, raws[0]->transportKeys().public_z85, "server", "updates_sent") +
      linkCounter(daemon, raws[1]->transportKeys().public_z85, "server", "updates_sent");
  reportFigures({{"case", "finding 4 peers that never read"},
                 {"feed_mb", head * kBodyBytes / kMiB},
                 {"flood_ms", flood_ms},
                 {"b_synced_ms", b_synced_ms},
                 {"updates_sent_to_non_readers", updates_sent},
                 {"byte_budget_full", budget_full},
                 {"answer_still_queued", still_queued},
                 {"rss_before_kb", rss_before},
                 {"rss_peak_kb", rss_peak},
                 {"rss_bound_kb", bound_kb},
                 {"send_queued_bytes", daemon["send_queued_bytes"]},
                 {"dropped_sends", daemon["dropped_sends"]}});
}

}  // namespace
}  // namespace eichub::testing
