// Slow consumer (docs/reliability.md case 27): B's daemon is stopped (SIGSTOP) in the middle of a
// catch-up of A's feed. A, the sender, may hold at most what B's wants granted it (the credit
// window of CreditLedger): its RSS is watched from /proc while B sleeps and must stay under
// that bound. After SIGCONT, B converges with A's digest and holds every update.
#include <chrono>
#include <csignal>
#include <thread>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/faults/history.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kDefaultUpdates = 20'000;    // EICHUB_SLOW_CONSUMER_UPDATES raises it
constexpr int64_t kDefaultStopS = 5;           // EICHUB_SLOW_CONSUMER_STOP_S=60 for the long form
constexpr uint64_t kWantCredit = 4096;         // sync::SyncOptions::want_credit, the default
constexpr uint64_t kWindow = 2 * kWantCredit;  // CreditLedger: updates a link may be owed
constexpr uint64_t kUpdateBytesMax = 2'048;    // generous bound of one served update
constexpr uint64_t kSlackKb = 48 * 1024;       // allocator, LMDB pages read, socket buffers
constexpr milliseconds kRssSample{100};

TEST(SlowConsumerTest, StoppedReceiverCostsTheSenderAtMostTheCreditWindow) {
  const size_t count = static_cast<size_t>(envInt("EICHUB_SLOW_CONSUMER_UPDATES", kDefaultUpdates));
  const int64_t stop_ms = 1000 * envInt("EICHUB_SLOW_CONSUMER_STOP_S", kDefaultStopS);
  TempDir dir;
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  const std::string records = dir.file("a.jsonl");
  writeResources(records, "a", count);
  a.ok({"publish", records});
  a.start();
  b.start();
  const std::string a_id = a.nodeId();
  const uint64_t head = a.seqOf(a_id);  // its cluster profile, then the records
  ASSERT_EQ(head, count + 1);
  const uint64_t rss_before = daemonRssKb(a);

  peerBothWays(a, b);
  ASSERT_TRUE(waitFor([&] { return b.seqOf(a_id) > 0; }, seconds(60))) << b.logFile();
  b.signal(SIGSTOP);
  const uint64_t seq_at_stop = b.seqOf(a_id);
  uint64_t rss_peak = rss_before;
  for (const int64_t until = steadyMs() + stop_ms; steadyMs() < until;) {
    rss_peak = std::max(rss_peak, daemonRssKb(a));
    std::this_thread::sleep_for(kRssSample);  // a sampling interval, not a synchronisation
  }
  const uint64_t rss_stopped_end = daemonRssKb(a);
  const int64_t resumed = steadyMs();
  b.signal(SIGCONT);
  ASSERT_TRUE(waitFor(
      [&] {
        rss_peak = std::max(rss_peak, daemonRssKb(a));
        return b.seqOf(a_id) == head && b.digest() == a.digest();
      },
      seconds(300)))
      << b.logFile();
  const int64_t converge_ms = steadyMs() - resumed;

  // No loss: B's copy verifies from seq 1 (every signature and link) and ends at A's head.
  HeldFeed held = exportFeed(b, a_id, dir.file("b.feed"));
  ASSERT_TRUE(held.error.empty()) << held.error;
  EXPECT_EQ(held.updates.size(), head);
  const uint64_t bound_kb = kWindow * kUpdateBytesMax / 1024 + kSlackKb;
  expectRssGrowthUnder(rss_before, rss_peak, bound_kb, "A's RSS past the credit bound");
  nlohmann::json daemon = a.daemonStatus();
  reportFigures({{"case", "27 slow consumer"},
                 {"updates", count},
                 {"stopped_ms", stop_ms},
                 {"receiver_seq_at_stop", seq_at_stop},
                 {"sender_rss_before_kb", rss_before},
                 {"sender_rss_peak_kb", rss_peak},
                 {"sender_rss_at_sigcont_kb", rss_stopped_end},
                 {"sender_rss_bound_kb", bound_kb},
                 {"ms_resume_to_converge", converge_ms},
                 {"sender_dropped_sends", daemon["dropped_sends"]}});
}

}  // namespace
}  // namespace eichub::testing
