// A daemon rederives trust from its store after the batches that can change it, not after every
// batch: in a network of hundreds of members that refresh (every trust record read and decoded,
// the state derived) cost more CPU than verifying and storing the update itself. On real
// daemons: B takes A's ordinary publishes without a refresh, and refreshes once A's feed brings
// it a trust record (a vendor A admits).
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/multinode/cluster.h"
#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

// eichub_trust_refreshes_total in node's /metrics; -1 when it does not answer.
long trustRefreshes(const NodeProcess& node) {
  HttpAnswer metrics = httpGet(node.httpAddress(), "/metrics");
  const std::string name = "\neichub_trust_refreshes_total ";
  size_t at = metrics.body.find(name);
  if (metrics.status != 200 || at == std::string::npos) return -1;
  return std::stol(metrics.body.substr(at + name.size()));
}

// The counter once it has stood still for two seconds (the snapshot /metrics reads may be a
// second behind), or -1.
long settledRefreshes(const NodeProcess& node) {
  long last = -2;
  for (int i = 0; i < 30; ++i) {
    long now = trustRefreshes(node);
    if (now >= 0 && now == last) return now;
    last = now;
    std::this_thread::sleep_for(seconds(2));
  }
  return -1;
}

TEST(TrustRefreshTest, OrdinaryBatchesLeaveTrustAloneAndATrustRecordRefreshesIt) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  a.start();
  b.start();
  trustAll({&a, &b});
  peerBothWays(a, b);
  a.ok({"publish", resourceFile(dir, "first", 1)});
  ASSERT_TRUE(converged({&a, &b}, seconds(30))) << logs({&a, &b});

  const long before = settledRefreshes(b);
  ASSERT_GE(before, 1) << "a daemon derives its trust once at start; " << b.logFile();
  constexpr int kPublishes = 6;
  for (int i = 0; i < kPublishes; ++i) {
    a.ok({"publish", resourceFile(dir, "course" + std::to_string(i), 1)});
    const uint64_t seq = a.seqOf(a.nodeId());
    // One at a time, so that each arrives at B in a batch of its own.
    ASSERT_TRUE(waitFor([&] { return b.seqOf(a.nodeId()) == seq; }, seconds(30))) << b.logFile();
  }
  EXPECT_EQ(settledRefreshes(b), before) << "B refreshed trust for ordinary records";

  ProcessResult keygen =
      runProcess({EICHUB_BINARY, "vendor", "keygen", "--out", dir.file("acme.key")});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  a.ok({"vendor", "admit", keygen.out.substr(0, 64), "--name", "Acme Learning", "--kinds",
        "LearningResource", "--id-prefix", "acme/"});
  const uint64_t seq = a.seqOf(a.nodeId());
  ASSERT_TRUE(waitFor([&] { return b.seqOf(a.nodeId()) == seq; }, seconds(30))) << b.logFile();
  EXPECT_TRUE(waitFor([&] { return trustRefreshes(b) > before; }, seconds(10)))
      << "B did not refresh trust for A's trust record; " << b.logFile();
}

}  // namespace
}  // namespace eichub::testing
