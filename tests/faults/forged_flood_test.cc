// Forged-signature flood against an honest catch-up (docs/reliability.md case 26 b). B catches up
// A's feed twice: once alone (the baseline), once while a CURVE-admitted raw peer pushes A's own
// headers with forged signatures to the node catching up (valid structure, right author, seq
// and prev; each run as cheap to make as the attacker likes and as dear to refuse as the
// engine allows). B must hold A's feed as A exported it, refuse every forged run (as `broken
// chain` when its first forged signature is followed by a header that links to the genuine one,
// feed format 2, which costs no signature check; as `bad signature` when it ends the run) and
// throttle the flooding link as the engine does; the honest rate under attack over the
// baseline and the RSS peak are printed, never asserted (no timing assertions in tests).
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/faults/history.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr int64_t kDefaultUpdates = 20'000;  // EICHUB_FLOOD_UPDATES raises it
constexpr size_t kRunUpdates = 400;    // per push slice (about 20 ms): about 20k forged updates/s
constexpr uint64_t kRejectLimit = 64;  // sync::SyncOptions::reject_limit: the link is throttled

struct CatchUp {
  int64_t ms = 0;
  uint64_t rss_peak_kb = 0;
};

// Peers a fresh node with A and waits until it holds A's head.
CatchUp catchUp(NodeProcess& a, NodeProcess& b, uint64_t head) {
  const std::string a_id = a.nodeId();
  CatchUp out;
  const int64_t start = steadyMs();
  peerBothWays(a, b);
  EXPECT_TRUE(waitFor(
      [&] {
        out.rss_peak_kb = std::max(out.rss_peak_kb, daemonRssKb(b));
        return b.seqOf(a_id) == head;
      },
      seconds(600)))
      << b.logFile();
  out.ms = steadyMs() - start;
  return out;
}

// node holds A's feed as A exported it: its copy verifies from seq 1 and ends at A's head hash
// (the chain vouches for every earlier header). Digests are not compared: A also holds the
// baseline node's own feed, which B never sees.
bool holdsFeed(const NodeProcess& node, const HeldFeed& a_feed, const std::string& path) {
  const std::string author = toHex(a_feed.updates.front().fields.author);
  HeldFeed copy = exportFeed(node, author, path);
  return copy.error.empty() && copy.updates.size() == a_feed.updates.size() &&
         copy.updates.back().hash == a_feed.updates.back().hash;
}

TEST(ForgedFloodTest, HonestCatchUpConvergesWhileForgedSignaturesAreRefusedAndThrottled) {
  const size_t count = static_cast<size_t>(envInt("EICHUB_FLOOD_UPDATES", kDefaultUpdates));
  TempDir dir;
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  const std::string records = dir.file("a.jsonl");
  writeResources(records, "a", count);
  a.ok({"publish", records});
  a.start();
  const std::string a_id = a.nodeId();
  const uint64_t head = a.seqOf(a_id);
  ASSERT_EQ(head, count + 1);  // its cluster profile, then the records

  // The forged runs: A's own headers and bodies, every signature with one bit flipped.
  HeldFeed held = exportFeed(a, a_id, dir.file("a.feed"));
  ASSERT_TRUE(held.error.empty()) << held.error;
  std::vector<Bytes> forged_runs;
  for (size_t from = 0; from < held.updates.size(); from += kRunUpdates) {
    wire::Updates run;
    for (size_t i = from; i < std::min(held.updates.size(), from + kRunUpdates); ++i) {
      feed::SignedUpdate update = held.updates[i].signed_update;
      update.signature[33] ^= 0x01;
      run.updates.push_back(std::move(update));
    }
    forged_runs.push_back(wire::encode(run));
  }

  NodeProcess baseline(dir.file("b0"), "b0 cluster", "DE501");
  baseline.start();
  const CatchUp alone = catchUp(a, baseline, head);
  EXPECT_TRUE(holdsFeed(baseline, held, dir.file("b0.feed")));
  baseline.stop();

  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  b.start();
  std::atomic<size_t> next_run{0};
  RawPeer flooder(
      crypto::SigningKey::generate().value(), {transportKeyOf(b)},
      [](const std::string&, const wire::Message& m) { return honestAnswer("test-net", {}, m); },
      [&forged_runs, &next_run](const std::string&) {
        return std::vector<Bytes>{forged_runs[next_run++ % forged_runs.size()]};
      });
  const std::string flooder_key = flooder.transportKeys().public_z85;
  b.ok({"peer", "add", flooder.card()});
  nlohmann::json daemon;
  ASSERT_TRUE(waitFor(
      [&] {
        daemon = b.daemonStatus();
        return rejectedFor(daemon, flooder_key, "bad signature") +
                   rejectedFor(daemon, flooder_key, "broken chain") >
               0;
      },
      seconds(30)))
      << "the flood never reached B: " << daemon.dump() << " " << b.logFile();
  const uint64_t pushed_before = flooder.messagesPushed();
  const CatchUp attacked = catchUp(a, b, head);
  const uint64_t pushed_during = flooder.messagesPushed() - pushed_before;
  EXPECT_TRUE(holdsFeed(b, held, dir.file("b.feed")));
  // The flood goes on after the catch-up (which may end before the flooder's first 64 runs):
  // every run it pushes is refused until the link is throttled.
  const auto refusedRuns = [&] {
    return rejectedFor(daemon, flooder_key, "bad signature") +
           rejectedFor(daemon, flooder_key, "broken chain");
  };
  EXPECT_TRUE(waitFor(
      [&] {
        daemon = b.daemonStatus();
        return refusedRuns() >= kRejectLimit;
      },
      seconds(30)))
      << "the flooding link should have reached the throttle: " << daemon.dump();
  const uint64_t refused = refusedRuns();
  EXPECT_EQ(rejectedAll(daemon, flooder_key), refused) << daemon.dump();
  EXPECT_EQ(rejectedAll(daemon, transportKeyOf(a)), 0u) << daemon.dump();

  const double base_rate = 1000.0 * static_cast<double>(head) / static_cast<double>(alone.ms);
  const double attack_rate = 1000.0 * static_cast<double>(head) / static_cast<double>(attacked.ms);
  reportFigures({{"case", "26b forged-signature flood vs honest catch-up"},
                 {"updates", count},
                 {"baseline_ms", alone.ms},
                 {"attacked_ms", attacked.ms},
                 {"baseline_updates_per_s", base_rate},
                 {"attacked_updates_per_s", attack_rate},
                 {"rate_ratio", attack_rate / base_rate},
                 {"forged_runs_pushed_during_catch_up", pushed_during},
                 {"forged_updates_per_run", kRunUpdates},
                 {"forged_runs_refused", refused},
                 {"flooder_throttled_now", linkThrottled(daemon, flooder_key)},
                 {"rss_peak_kb_baseline", alone.rss_peak_kb},
                 {"rss_peak_kb_attacked", attacked.rss_peak_kb}});
}

}  // namespace
}  // namespace eichub::testing
