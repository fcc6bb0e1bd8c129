// Crash safety (docs/reliability.md case 36): SIGKILL at uniformly random instants during
// import, publish and catch-up. After every kill the store reopens, every feed held exports and
// verifies from seq 1, the records table agrees with the feed (only whole batches), every
// acknowledged update is still held, and in the end the node holds what a run without kills
// holds.
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "node/publish/publisher.h"
#include "tests/faults/figures.h"
#include "tests/faults/history.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/child_process.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kBatch = publish::kPublishBatchUpdates;

// What a feed says after its first `skip` updates (the node's own profile, which names the
// node), without what differs between two honest runs (time, signature, author): seq, kind,
// id, op and body hash of every update. Equal lists mean equal catalogues.
std::vector<std::string> contentOf(const HeldFeed& held, uint64_t skip) {
  std::vector<std::string> out;
  for (const feed::VerifiedUpdate& u : held.updates) {
    if (u.fields.seq <= skip) continue;
    out.push_back(std::to_string(u.fields.seq) + " " + std::to_string(int(u.fields.kind)) + " " +
                  u.fields.id + " " + std::to_string(int(u.fields.op)) + " " +
                  toHex(u.fields.body_hash));
  }
  return out;
}

// Live records, and updates held over all feeds, as `eichub status` reads them from the store.
// Every update of these tests creates a record of its own, so the two must be equal: a
// difference means a batch was half applied (feed without records, or records without feed).
struct StoreCounts {
  uint64_t records = 0;
  uint64_t updates = 0;
};
StoreCounts countsOf(const NodeProcess& node) {
  StoreCounts counts;
  const nlohmann::json status = node.status();  // kept alive: the loops borrow from it
  for (const auto& [kind, n] : status["records"].items()) counts.records += n.get<uint64_t>();
  for (const auto& feed : status["feeds"]) counts.updates += feed["seq"].get<uint64_t>();
  return counts;
}

class CrashTest : public ::testing::Test {
 protected:
  std::unique_ptr<NodeProcess> node(const std::string& name) {
    return std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", "UKE42");
  }
  std::string resources(const std::string& name, size_t n) {
    return resourceFile(dir_, name, n, /*body_bytes=*/64);
  }
  // Sleeps a uniformly random time in [0, window]: the fault's instant, not a synchronisation.
  milliseconds randomInstant(milliseconds window) {
    std::uniform_int_distribution<int64_t> pick(0, window.count());
    milliseconds at(pick(rng_));
    std::this_thread::sleep_for(at);
    return at;
  }
  // The checks after every kill: the store reopens, every record reads back (`eichub digest`
  // walks them all), and records and feeds agree. With verify, the feed of author is also
  // exported and verified from seq 1 (every signature and link); that costs a second per 10k
  // updates, so the cumulative tests do it every kVerifyEvery kills and at the end, where the
  // history check proves that no acknowledged update was ever replaced. Returns the updates
  // held of author.
  uint64_t checkAfterKill(const NodeProcess& node, const std::string& author, bool verify) {
    EXPECT_EQ(node.cli({"digest"}).exit_code, 0) << node.dir() << " does not reopen";
    StoreCounts counts = countsOf(node);
    EXPECT_EQ(counts.records, counts.updates) << "records and feeds disagree in " << node.dir();
    if (verify) {
      HeldFeed held = exportFeed(node, author, dir_.file("after-kill.feed"));
      EXPECT_EQ(held.error, "") << node.dir();
      EXPECT_EQ(held.updates.size(), node.seqOf(author));
      ++verified_;
    }
    return node.seqOf(author);
  }

  TempDir dir_;
  const uint64_t seed_ = faultSeed();
  std::mt19937_64 rng_{seed_};
  const int kills_ = static_cast<int>(envInt("EICHUB_CRASH_KILLS", 20));
  static constexpr int kVerifyEvery = 5;
  int verified_ = 0;  // full feed verifications done
};

// `eichub import csv` of the real edX export (one batch: it lands whole or not at all), killed at
// a random instant into a fresh home each time, then run again to the end: the result equals an
// import that was never killed.
TEST_F(CrashTest, ImportKilledAtRandomInstants) {
  const std::string data = sharedDataDir();
  if (data.empty()) GTEST_SKIP() << "no ../shared/data beside the source tree";
  const std::vector<std::string> import = {
      "import", "csv", "--mapping", std::string(EICHUB_SOURCE_DIR) + "/ops/mappings/edx.toml",
      data + "/courses/edx_courses.csv.gz"};
  auto reference = node("reference");
  auto started = Clock::now();
  reference->ok(import);
  const auto window = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  const HeldFeed expected = exportFeed(*reference, reference->nodeId(), dir_.file("ref.feed"));
  ASSERT_EQ(expected.error, "");

  int mid_import = 0;
  for (int i = 0; i < kills_; ++i) {
    auto victim = node("import-" + std::to_string(i));
    const uint64_t base = ownHead(*victim).seq;  // init publishes the node's profile
    std::vector<std::string> argv = {EICHUB_BINARY};
    argv.insert(argv.end(), import.begin(), import.end());
    argv.insert(argv.end(), {"--home", victim->dir()});
    ChildProcess run(argv, victim->dir() + ".import.log");
    milliseconds at = randomInstant(window);
    if (run.kill()) ++mid_import;
    const std::string author = victim->nodeId();
    const uint64_t held = checkAfterKill(*victim, author, /*verify=*/true);
    const uint64_t written = held - base;
    EXPECT_TRUE(written % kBatch == 0 || held == expected.updates.size())
        << "kill " << i << " at " << at.count() << " ms left " << written
        << " updates: not a whole number of batches";
    victim->ok(import);
    EXPECT_EQ(contentOf(exportFeed(*victim, author, dir_.file("resumed.feed")), base),
              contentOf(expected, base))
        << "kill " << i << " at " << at.count() << " ms (seed " << seed_ << ")";
    victim.reset();
    std::filesystem::remove_all(dir_.file("import-" + std::to_string(i)));
  }
  EXPECT_GT(mid_import, 0) << "no kill landed inside an import";
  reportFigures({{"case", 36},
                 {"test", "crash.import"},
                 {"kills", kills_},
                 {"killed_mid_import", mid_import},
                 {"updates_per_import", expected.updates.size()},
                 {"window_ms", window.count()},
                 {"content_equal_to_unkilled_run", !HasFailure()},
                 {"seed", seed_}});
}

// `eichub publish` killed at random instants while both daemons run: every acknowledged publish
// survives, the killed one leaves whole batches, and the peer converges.
TEST_F(CrashTest, PublishKilledAtRandomInstants) {
  constexpr size_t kRecordsPerPublish = kBatch + 64;  // two batches: one boundary inside
  auto a = node("a");
  auto b = node("b");
  a->start();
  b->start();
  peerBothWays(*a, *b);
  const std::string author = a->nodeId();
  History history;
  auto started = Clock::now();
  a->ok({"publish", resources("p-calibrate", kRecordsPerPublish)});
  const auto window = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  history.ack(ownHead(*a));

  int mid_publish = 0;
  for (int i = 0; i < kills_; ++i) {
    const std::string file = resources("p" + std::to_string(i), kRecordsPerPublish);
    const uint64_t before = ownHead(*a).seq;
    ChildProcess run({EICHUB_BINARY, "publish", file, "--home", a->dir()}, a->dir() + ".pub.log");
    milliseconds at = randomInstant(window);
    if (run.kill()) {
      ++mid_publish;
    } else {
      ASSERT_EQ(run.poll(), 0) << "publish failed; see " << a->dir() << ".pub.log";
      history.ack(ownHead(*a));  // publish returned success: acknowledged
    }
    const uint64_t held = checkAfterKill(*a, author, i % kVerifyEvery == kVerifyEvery - 1);
    const uint64_t written = held - before;
    EXPECT_TRUE(written % kBatch == 0 || written == kRecordsPerPublish)
        << "kill " << i << " at " << at.count() << " ms left " << written << " updates";
    EXPECT_GE(held, history.latest().at(author).seq) << "kill " << i << " lost acked updates";
    a->ok({"publish", file});  // the publisher's retry: what is held is skipped
    history.ack(ownHead(*a));
  }
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(60)))
      << "see logs " << a->logFile() << " " << b->logFile();
  const std::vector<std::string> lost_a = history.missingOn(*a, dir_.path());
  const std::vector<std::string> lost_b = history.missingOn(*b, dir_.path());
  EXPECT_TRUE(lost_a.empty()) << lost_a.front();
  EXPECT_TRUE(lost_b.empty()) << lost_b.front();
  EXPECT_GT(mid_publish, 0) << "no kill landed inside a publish";
  EXPECT_EQ(b->seqOf(author), a->seqOf(author));
  EXPECT_EQ(countsOf(*b).records, countsOf(*b).updates);
  // Case 17: a seq signed by a killed publish and signed again by the retry must never look
  // like an equivocation to the peer (the killed one was never committed, so never sent).
  int false_forks = 0;
  const nlohmann::json status = b->daemonStatus();  // kept: the loop below iterates into it
  for (const auto& feed : status["feeds"]) false_forks += feed["frozen"].get<bool>();
  EXPECT_EQ(false_forks, 0) << "B froze a feed of an honest node";
  reportFigures({{"case", 36},
                 {"test", "crash.publish"},
                 {"kills", kills_},
                 {"killed_mid_publish", mid_publish},
                 {"full_verifications", verified_},
                 {"acked_publishes", history.acked()},
                 {"acked_updates", history.latest().at(author).seq},
                 {"lost", lost_a.size() + lost_b.size()},
                 {"peer_digest_equal", a->digest() == b->digest()},
                 {"false_forks", false_forks},
                 {"seed", seed_}});
}

// The daemon of node B killed at random instants while it catches up with A: its copy of A's
// feed always verifies and never shrinks, and B ends with A's digest and every acked update.
TEST_F(CrashTest, CatchUpKilledAtRandomInstants) {
  constexpr size_t kRecordsPerRound = 1500;
  auto a = node("a");
  auto b = node("b");
  a->ok({"publish", resources("c-calibrate", kRecordsPerRound)});
  a->start();
  b->start();
  peerBothWays(*a, *b);
  const std::string author = a->nodeId();
  History history;
  history.ack(ownHead(*a));
  auto started = Clock::now();
  ASSERT_TRUE(waitFor([&] { return b->seqOf(author) == a->seqOf(author); }, seconds(120)))
      << "see " << b->logFile();
  const auto window = std::chrono::duration_cast<milliseconds>(Clock::now() - started);

  int mid_catch_up = 0;
  int partly_applied = 0;  // kills after some batches of the round landed, before the last
  uint64_t b_held = b->seqOf(author);  // what B reported stored: it may never shrink
  for (int i = 0; i < kills_; ++i) {
    b->kill();
    a->ok({"publish", resources("c" + std::to_string(i), kRecordsPerRound)});
    history.ack(ownHead(*a));
    b->start();
    milliseconds at = randomInstant(window);
    b->kill();
    const uint64_t held = checkAfterKill(*b, author, i % kVerifyEvery == kVerifyEvery - 1);
    if (held < history.latest().at(author).seq) ++mid_catch_up;
    if (held > b_held && held < history.latest().at(author).seq) ++partly_applied;
    EXPECT_GE(held, b_held) << "B's head moved back (kill " << i << " at " << at.count() << " ms)";
    b_held = held;
    b->start();
  }
  ASSERT_TRUE(converged({a.get(), b.get()}, seconds(120)))
      << "see logs " << a->logFile() << " " << b->logFile();
  const std::vector<std::string> lost = history.missingOn(*b, dir_.path());
  EXPECT_TRUE(lost.empty()) << lost.front();
  EXPECT_GT(mid_catch_up, 0) << "no kill landed inside a catch-up";
  reportFigures({{"case", 36},
                 {"test", "crash.catch_up"},
                 {"kills", kills_},
                 {"killed_mid_catch_up", mid_catch_up},
                 {"killed_after_some_batches", partly_applied},
                 {"full_verifications", verified_},
                 {"updates_per_round", kRecordsPerRound},
                 {"window_ms", window.count()},
                 {"lost", lost.size()},
                 {"digest_equal", a->digest() == b->digest()},
                 {"seed", seed_}});
}

// The deterministic variant of case 36: `eichub publish` of three batches into a fresh home,
// under strace, killed (SIGKILL injected on entry) at its N-th writev, pwrite64 or fdatasync,
// the calls by which LMDB writes pages, meta pages and syncs a commit. The same publish into
// the same fresh state makes the same calls, so every N of every call is tried, up to the first
// N the publish never reaches. After each kill `eichub verify` passes (every chain, index and
// head), only whole batches are held, and the retry publishes the rest.
TEST_F(CrashTest, PublishKilledAtEachWriteAndSyncOfItsCommits) {
  const std::string strace = "/usr/bin/strace";
  if (!std::filesystem::exists(strace)) GTEST_SKIP() << "no " << strace << " (apt install strace)";
  if (runProcess({strace, "-o", "/dev/null", "/bin/true"}).exit_code != 0) {
    GTEST_SKIP() << "strace cannot trace here (ptrace not allowed)";
  }
  constexpr size_t kRecordsPerPublish = 2 * kBatch + 64;
  const std::string records = resources("s", kRecordsPerPublish);
  std::map<std::string, int> kills;  // per call
  const std::vector<std::string> calls = {"writev", "pwrite64", "fdatasync"};
  for (const std::string& call : calls) {
    for (int n = 1; n <= 64; ++n) {
      const std::string where = call + " " + std::to_string(n);
      auto victim = node("w");
      const std::string author = victim->nodeId();
      const uint64_t before = ownHead(*victim).seq;  // init publishes the node's profile
      // LeakSanitizer cannot run under ptrace; the rest of a sanitizer build still checks.
      ProcessResult run =
          runProcess({"/usr/bin/env", "ASAN_OPTIONS=detect_leaks=0", strace, "-f", "-qq", "-o",
                      "/dev/null", "-e", "trace=" + call, "-e",
                      "inject=" + call + ":signal=SIGKILL:when=" + std::to_string(n), EICHUB_BINARY,
                      "publish", records, "--home", victim->dir()});
      const bool killed = run.exit_code == -1;
      ASSERT_TRUE(killed || run.exit_code == 0) << where << ": " << run.err;
      const ProcessResult verify = victim->cli({"verify"});
      EXPECT_EQ(verify.exit_code, 0)
          << "after a kill at " << where << ": " << verify.out << verify.err;
      const uint64_t held = checkAfterKill(*victim, author, /*verify=*/false);
      ASSERT_GE(held, before) << "a kill at " << where << " lost the node's profile";
      const uint64_t written = held - before;
      EXPECT_TRUE(written % kBatch == 0 || written == kRecordsPerPublish)
          << "a kill at " << where << " left " << written << " updates";
      victim->ok({"publish", records});
      EXPECT_EQ(victim->seqOf(author), before + kRecordsPerPublish) << where;
      victim.reset();
      std::filesystem::remove_all(dir_.file("w"));
      if (!killed) break;  // the publish never made its n-th call
      ++kills[call];
    }
  }
  for (const std::string& call : calls) EXPECT_GT(kills[call], 0) << "no kill at " << call;
  reportFigures({{"case", 36},
                 {"test", "crash.publish_at_each_write"},
                 {"kills_at_writev", kills["writev"]},
                 {"kills_at_pwrite64", kills["pwrite64"]},
                 {"kills_at_fdatasync", kills["fdatasync"]},
                 {"updates_per_publish", kRecordsPerPublish},
                 {"verify_passed_after_every_kill", !HasFailure()}});
}

}  // namespace
}  // namespace eichub::testing
