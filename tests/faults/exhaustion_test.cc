// Resource exhaustion (docs/reliability.md cases 37 and 38): the store's disk
// fills up (a private tmpfs under the node's data directory), or the LMDB map reaches its
// configured cap. The node must refuse writes with a clear error and a counter, keep serving
// reads and peers, lose nothing acknowledged, and resume once space returns.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/faults/history.h"
#include "tests/faults/mount_namespace.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Batches pulled from peers that node's store failed to apply (its status counter).
uint64_t storeRefusals(const NodeProcess& node) {
  nlohmann::json daemon = node.daemonStatus();
  return daemon.is_object() ? daemon["store_write_failures"].get<uint64_t>() : 0;
}

// Rejections node counted against its peers, and whether it throttled one: a full disk is the
// node's own problem and must cost its peers nothing.
uint64_t peerPenalties(const NodeProcess& node) {
  uint64_t total = 0;
  nlohmann::json daemon = node.daemonStatus();
  if (!daemon.is_object()) return 0;
  for (const auto& link : daemon["links"]) {
    total += link["rejected"].get<uint64_t>() + link["throttled"].get<bool>();
  }
  return total;
}

// The daemon answers its control socket (it may be slow to while it retries batches).
bool answers(const NodeProcess& node) {
  return waitFor([&] { return node.daemonStatus().is_object(); }, seconds(20));
}

void setConfig(const NodeProcess& node, const std::string& key, const std::string& value) {
  const std::string path = node.dir() + "/config.toml";
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  size_t at = text.find("\n" + key + " = ");
  ASSERT_NE(at, std::string::npos) << key << " not in " << path;
  size_t end = text.find('\n', at + 1);
  text.replace(at + 1, end - at - 1, key + " = " + value);
  std::ofstream(path, std::ios::trunc) << text;
}

class ExhaustionTest : public ::testing::Test {
 protected:
  std::unique_ptr<NodeProcess> node(const std::string& name) {
    return std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", "UKE42");
  }
  void publish(NodeProcess& node, const std::string& name, size_t n) {
    node.ok({"publish", resourceFile(dir_, name, n)});
    history_.ack(ownHead(node));
  }

  TempDir dir_;
  History history_;
  uint64_t lost_ = 0;
};

// Case 37: A's data directory is a 24 MiB tmpfs, filled to the last byte while B publishes.
TEST_F(ExhaustionTest, DiskFullRefusesWritesServesReadsAndResumes) {
  if (std::string why = enterPrivateMountNamespace(); !why.empty()) GTEST_SKIP() << why;
  auto a = node("a");
  auto b = node("b");
  // Move A's fresh store onto the small filesystem.
  const std::string data = a->dir() + "/data";
  const std::string saved = dir_.file("a-data");
  std::filesystem::rename(data, saved);
  std::filesystem::create_directory(data);
  TmpfsMount disk(data, 24 << 20);
  if (!disk.error().empty()) GTEST_SKIP() << disk.error();
  std::filesystem::copy(saved, data, std::filesystem::copy_options::recursive);

  publish(*a, "a-before", 200);
  a->start();
  b->start();
  peerBothWays(*a, *b);
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(60))) << a->logFile();

  const uint64_t filler_bytes = fillDisk(data + "/filler");
  ASSERT_LT(disk.freeBytes(), 64u * 1024);
  publish(*b, "b-during", 3000);
  uint64_t refusals = 0;
  ASSERT_TRUE(waitFor([&] { return (refusals = storeRefusals(*a)) > 0; }, seconds(30)))
      << "A never reported the refused write; " << a->logFile();
  // A refuses its own publish with a clear error.
  ProcessResult refused = a->cli({"publish", resourceFile(dir_, "a-during", 100)});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("No space left on device"), std::string::npos) << refused.err;
  // Reads are served, by the CLI and by the daemon.
  EXPECT_NE(a->ok({"get", "a-before/7"}).find("a-before 7"), std::string::npos);
  EXPECT_TRUE(answers(*a)) << "A's daemon does not answer";
  // Peers are served: a new node C pulls A's feed from A while A's disk is full.
  auto c = node("c");
  c->start();
  peerBothWays(*a, *c);
  c->ok({"trust", "add", b->nodeId()});
  b->ok({"trust", "add", c->nodeId()});  // A relays C's feed to B: all three hold the same
  ASSERT_TRUE(waitFor([&] { return c->seqOf(a->nodeId()) == a->seqOf(a->nodeId()); }, seconds(30)))
      << "A stopped serving peers; " << c->logFile();
  refusals = std::max(refusals, storeRefusals(*a));
  EXPECT_EQ(peerPenalties(*a), 0u)
      << "B was blamed for A's full disk: " << a->daemonStatus()["links"].dump();

  // Space returns: A resumes without a restart.
  std::filesystem::remove(data + "/filler");
  auto freed_at = Clock::now();
  ASSERT_TRUE(waitFor([&] { return a->seqOf(b->nodeId()) == b->seqOf(b->nodeId()); }, seconds(60)))
      << "A did not resume after space returned; " << a->logFile();
  auto resumed = std::chrono::duration_cast<milliseconds>(Clock::now() - freed_at);
  publish(*a, "a-after", 100);
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(60))) << a->logFile();
  ASSERT_TRUE(converged({a.get(), c.get()}, seconds(60))) << c->logFile();
  lost_ += history_.expectNothingLost({a.get(), b.get(), c.get()}, dir_.path());
  reportFigures({{"case", 37},
                 {"test", "exhaustion.disk_full"},
                 {"tmpfs_bytes", 24 << 20},
                 {"filler_bytes", filler_bytes},
                 {"store_refusals", refusals},
                 {"publish_error", "No space left on device"},
                 {"reads_and_peers_served", true},
                 {"resumed_without_restart_ms", resumed.count()},
                 {"lost", lost_}});
}

// Case 38: A's map starts at 1 MiB and may grow to 4 MiB; B publishes far more. A grows the map
// while CLI readers in other processes read, then refuses at the cap; a larger cap and a
// restart let it finish, with nothing lost or torn.
TEST_F(ExhaustionTest, MapCapRefusesWritesAndResumesAfterRaise) {
  auto a = node("a");
  auto b = node("b");
  setConfig(*a, "initial_map_mb", "1");
  setConfig(*a, "max_map_mb", "4");
  publish(*a, "a-before", 100);
  a->start();
  b->start();
  peerBothWays(*a, *b);
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(60))) << a->logFile();

  // Readers in other processes while the map grows: each must succeed.
  std::atomic<bool> reading{true};
  std::atomic<uint64_t> reads{0};
  std::atomic<uint64_t> failed_reads{0};
  std::thread reader([&] {
    while (reading) {
      ProcessResult r = a->cli({"get", "a-before/3"});
      ++reads;
      if (r.exit_code != 0) ++failed_reads;
    }
  });
  publish(*b, "b-big", 20000);
  const bool refused = waitFor([&] { return storeRefusals(*a) > 0; }, seconds(60));
  reading = false;
  reader.join();
  ASSERT_TRUE(refused) << "A never hit its map cap; " << a->logFile();
  EXPECT_EQ(failed_reads, 0u) << "of " << reads << " reads";
  EXPECT_LT(a->seqOf(b->nodeId()), b->seqOf(b->nodeId()));
  ProcessResult own = a->cli({"publish", resourceFile(dir_, "a-during", 2000)});
  EXPECT_NE(own.exit_code, 0);
  EXPECT_NE(own.err.find("map"), std::string::npos) << own.err;
  EXPECT_TRUE(answers(*a)) << "A's daemon does not answer";
  EXPECT_EQ(peerPenalties(*a), 0u)
      << "B was blamed for A's map cap: " << a->daemonStatus()["links"].dump();
  EXPECT_EQ(ownHead(*a).hash, history_.latest().at(a->nodeId()).hash) << "A lost its own";
  const uint64_t refusals = storeRefusals(*a);
  const uint64_t cap_bytes = std::filesystem::file_size(a->dir() + "/data/data.mdb");
  EXPECT_LE(cap_bytes, 4u << 20) << "the store grew past its cap";

  setConfig(*a, "max_map_mb", "64");
  EXPECT_EQ(a->stop(), 0);
  a->start();
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(120))) << a->logFile();
  lost_ += history_.expectNothingLost({a.get(), b.get()}, dir_.path());
  reportFigures({{"case", 38},
                 {"test", "exhaustion.map_cap"},
                 {"initial_map_mb", 1},
                 {"cap_mb", 4},
                 {"store_refusals", refusals},
                 {"data_file_bytes_at_cap", cap_bytes},
                 {"concurrent_reads", reads.load()},
                 {"failed_reads", failed_reads.load()},
                 {"resumed_after_raise_and_restart", true},
                 {"lost", lost_}});
}

}  // namespace
}  // namespace eichub::testing
