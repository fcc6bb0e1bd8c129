// Backup while a sync runs, then restore: the restored store's digest equals the digest of the
// state the backup captured, which a third node rebuilds from the same feed prefix.
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/multinode/cluster.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::NodeProcess;
namespace fs = std::filesystem;

// Enough updates that B is still catching up for a while on two shared cores.
constexpr size_t kUpdates = 20'000;

TEST(BackupTest, BackupDuringSyncRestoresToTheStateItCaptured) {
  testing::TempDir dir;
  NodeProcess a(dir.file("a"), "Leeds", "UKE42");
  NodeProcess b(dir.file("b"), "Bremen", "DE50");
  testing::writeResources(dir.file("a.jsonl"), "a", kUpdates);
  a.ok({"publish", dir.file("a.jsonl")});
  a.start();
  b.start();
  testing::peerBothWays(a, b);
  const std::string a_id = a.nodeId();
  ASSERT_TRUE(testing::waitFor([&] { return b.seqOf(a_id) > 0; }, std::chrono::seconds(60)))
      << "B never started syncing; see " << b.logFile();

  // The backup, taken while B's daemon writes.
  const std::string file = dir.file("b.backup");
  json backup = json::parse(b.ok({"backup", "--out", file, "--json"}));
  ASSERT_TRUE(fs::is_regular_file(file));
  EXPECT_FALSE(fs::exists(file + ".partial"));
  uint64_t captured = 0;
  for (const json& feed : backup["feeds"]) {
    if (feed["author"] == a_id) captured = feed["seq"].get<uint64_t>();
  }
  ASSERT_GT(captured, 0u);
  std::cout << "backup captured " << captured << " of " << kUpdates << " updates of A\n";

  // A home with B's keys that holds exactly A's first `captured` updates and B's own feed
  // has the state B had then.
  auto copyHome = [&](const std::string& to) {
    fs::create_directories(to);
    fs::copy(b.dir() + "/config.toml", to + "/config.toml");
    fs::copy(b.dir() + "/keys", to + "/keys", fs::copy_options::recursive);
  };
  auto eichub = [](std::vector<std::string> args, const std::string& home) {
    args.insert(args.begin(), EICHUB_BINARY);
    args.push_back("--home");
    args.push_back(home);
    return testing::runProcess(args);
  };
  ASSERT_EQ(backup["feeds"].size(), 2u) << backup;  // A's and B's own (its profile)
  const std::string reference = dir.file("reference");
  copyHome(reference);
  a.ok({"feed", "export", "--out", dir.file("a.feed"), "--to", std::to_string(captured)});
  b.ok({"feed", "export", "--out", dir.file("b.feed")});
  // The reference home has B's keys but not its peers: it trusts A's feed explicitly.
  testing::ProcessResult imported =
      eichub({"feed", "import", "--trust", dir.file("a.feed")}, reference);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  ASSERT_EQ(eichub({"feed", "import", dir.file("b.feed")}, reference).exit_code, 0);
  const std::string expected = eichub({"digest"}, reference).out;
  EXPECT_EQ(backup["digest"].get<std::string>() + "\n", expected);

  // A running node's store is never overwritten.
  auto refused = b.cli({"restore", file});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("running"), std::string::npos) << refused.err;

  // Restored into a home with B's keys (B's machine rebuilt), the digest is the captured one.
  const std::string restored_dir = dir.file("b-restored");
  copyHome(restored_dir);
  auto restored = eichub({"restore", file}, restored_dir);
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  auto digest = eichub({"digest"}, restored_dir);
  ASSERT_EQ(digest.exit_code, 0) << digest.err;
  EXPECT_EQ(digest.out, expected);

  // And B, after the backup, still converges with A.
  ASSERT_TRUE(testing::converged({&b, &a}, std::chrono::seconds(120)))
      << "B did not converge; see " << b.logFile();

  // Another node's home refuses the backup: the store belongs to B's key.
  a.stop();
  auto foreign = a.cli({"restore", file});
  EXPECT_NE(foreign.exit_code, 0);
  EXPECT_NE(foreign.err.find("belongs to node"), std::string::npos) << foreign.err;
}

}  // namespace
}  // namespace eichub
