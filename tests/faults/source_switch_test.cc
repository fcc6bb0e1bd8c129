// Endless or slow data (SECURITY.md case 29): A pulls B's feed through a proxy that trickles
// 16 kB/s, so no batch finishes; C holds the same feed on a direct link. A's per-feed progress
// timeout (want_timeout_ms, 5 s) must move the pull to C, and A must converge long before the
// trickle could deliver.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "node/home/home.h"
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

uint16_t portOf(const NodeProcess& node) {
  auto card = home::parsePeerCard(node.card());
  EICHUB_CHECK(card.ok()) << card.status().toString();
  return static_cast<uint16_t>(std::stoi(card->endpoint.substr(card->endpoint.rfind(':') + 1)));
}

TEST(LinkFaultSwitchTest, TricklingSourceIsLeftForAPeerThatHasTheData) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  NodeProcess c(dir.file("c"), "c cluster", "DE502");
  const std::string records = dir.file("b.jsonl");
  writeResources(records, "b", kUpdates, 200);
  b.ok({"publish", records});
  b.start();
  c.start();
  a.start();
  peerBothWays(b, c);
  const std::string author = b.nodeId();
  const uint64_t total = b.seqOf(author);  // the records and B's own profile
  ASSERT_TRUE(waitFor([&] { return c.seqOf(author) == total; }, seconds(60))) << c.logFile();

  FaultProxy to_b(portOf(b));
  FaultSettings trickle;
  trickle.bytes_per_second = kTrickleBytesPerS;
  to_b.set(trickle);
  auto card = home::parsePeerCard(b.card());
  ASSERT_TRUE(card.ok());
  card->endpoint = to_b.endpoint();
  a.ok({"peer", "add", home::formatPeerCard(*card)});
  b.ok({"peer", "add", a.card()});  // B's ZAP admits A
  // A learned B's head through the trickle and started pulling from B, its only source.
  ASSERT_TRUE(waitFor(
      [&] {
        nlohmann::json feed = daemonFeed(a.daemonStatus(), author);
        return feed.is_object() && feed["best_remote_seq"].get<uint64_t>() == total;
      },
      seconds(30)))
      << a.logFile();
  const int64_t start = steadyMs();
  peerBothWays(a, c);
  ASSERT_TRUE(waitFor([&] { return a.seqOf(author) == total; }, seconds(90)))
      << "A did not leave the trickling source; " << a.logFile();
  const int64_t converged_ms = steadyMs() - start;
  nlohmann::json daemon = a.daemonStatus();
  const uint64_t via_c = linkCounter(daemon, transportKeyOf(c), "client", "updates_received");
  const uint64_t via_b = linkCounter(daemon, transportKeyOf(b), "client", "updates_received");
  EXPECT_GT(via_c, 0u) << daemon.dump();
  EXPECT_LT(via_b, total) << "everything came through the trickle";
  EXPECT_EQ(a.digest(), c.digest());
  reportFigures({{"case", "29 trickling source"},
                 {"updates", kUpdates},
                 {"trickle_bytes_per_s", kTrickleBytesPerS},
                 {"ms_from_second_source_to_converged", converged_ms},
                 {"source_switches", daemon["source_switches"]},
                 {"updates_via_b", via_b},
                 {"updates_via_c", via_c},
                 {"bytes_through_trickle", to_b.bytesForwarded()}});
}

}  // namespace
}  // namespace eichub::testing
