// docs/reliability.md case 22 on real daemons: a body bit-flipped in B's store while B is stopped
// is never served (C, fetching only from B, gets the header without it), `eichub verify` names it,
// and `eichub verify --repair` drops it so that B fetches it again from A; then A, B and C hold
// the same body and digest.
#include <chrono>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/store_flip.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr size_t kRecords = 20;
constexpr size_t kFlipped = 6;  // record r/6

int64_t steadyNowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// `eichub get <id> --json` on node: the first record's JSON (null when not found).
nlohmann::json getRecord(const NodeProcess& node, const std::string& id) {
  ProcessResult got = node.cli({"get", id, "--json", "--fetch-timeout-ms", "300"});
  if (got.exit_code != 0) return nullptr;
  nlohmann::json doc = nlohmann::json::parse(got.out, nullptr, false);
  if (!doc.is_object() || doc["records"].empty()) return nullptr;
  return doc["records"][0];
}

bool bodyHeld(const NodeProcess& node, const std::string& id) {
  nlohmann::json record = getRecord(node, id);
  return record.is_object() && !record.contains("body_held") && record.contains("record");
}

nlohmann::json verifyJson(const NodeProcess& node, std::vector<std::string> args, int* exit_code) {
  args.insert(args.begin(), "verify");
  args.push_back("--json");
  ProcessResult run = node.cli(args);
  *exit_code = run.exit_code;
  return nlohmann::json::parse(run.out, nullptr, false);
}

TEST(CorruptStoreTest, AFlippedBodyIsNotServedAndVerifyRepairFetchesItFromAPeer) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "A cluster", "UKE42");
  NodeProcess b(dir.file("b"), "B cluster", "UKE42");
  NodeProcess c(dir.file("c"), "C cluster", "UKE42");
  a.start();
  b.start();
  const std::string a_id = a.nodeId();
  const uint64_t base = a.seqOf(a_id);  // the profile
  writeResources(dir.file("r.jsonl"), "r", kRecords);
  a.ok({"publish", dir.file("r.jsonl")});
  const uint64_t head = a.seqOf(a_id);
  const uint64_t flipped_seq = base + kFlipped + 1;
  const std::string flipped_id = "r/" + std::to_string(kFlipped);
  peerBothWays(a, b);
  ASSERT_TRUE(waitFor([&] { return b.seqOf(a_id) == head; }, seconds(60))) << b.logFile();
  int code = -1;
  nlohmann::json clean = verifyJson(b, {}, &code);
  EXPECT_EQ(code, 0) << clean.dump();
  EXPECT_EQ(clean["problems"].size(), 0u);

  // B offline: one bit of the stored body of A's seq flipped_seq, found through LMDB.
  ASSERT_EQ(b.stop(), 0);
  auto author = fixedFromHex<kPublicKeyBytes>(a_id);
  ASSERT_TRUE(author);
  auto offset = flipStoredBit(b.dir() + "/data", *author, flipped_seq, StoredPart::kBody, 40);
  ASSERT_TRUE(offset.ok()) << offset.status().toString();
  b.start();

  // C pulls A's feed from B only: the header arrives, the altered body does not.
  c.start();
  c.ok({"trust", "add", a_id});
  a.ok({"trust", "add", c.nodeId()});  // so that all three hold the same feeds
  peerBothWays(b, c);
  ASSERT_TRUE(waitFor([&] { return c.seqOf(a_id) == head; }, seconds(60))) << c.logFile();
  ASSERT_TRUE(
      waitFor([&] { return bodyHeld(c, "r/" + std::to_string(kRecords - 1)); }, seconds(30)))
      << c.logFile();
  nlohmann::json on_c = getRecord(c, flipped_id);
  ASSERT_TRUE(on_c.is_object()) << c.logFile();
  EXPECT_EQ(on_c["body_held"], false) << on_c.dump();
  nlohmann::json b_daemon = b.daemonStatus();
  ASSERT_TRUE(b_daemon.is_object());
  EXPECT_GE(b_daemon["store_corrupt_refused"].get<uint64_t>(), 1u);

  // verify names it; --repair drops it and asks the running daemon to fetch it from A.
  nlohmann::json found = verifyJson(b, {}, &code);
  EXPECT_NE(code, 0);
  ASSERT_EQ(found["problems"].size(), 1u) << found.dump();
  EXPECT_EQ(found["problems"][0]["author"], a_id);
  EXPECT_EQ(found["problems"][0]["seq"], flipped_seq);
  EXPECT_EQ(found["problems"][0]["problem"], "bad_body");
  const int64_t repair_start = steadyNowMs();
  nlohmann::json repaired = verifyJson(b, {"--repair"}, &code);
  EXPECT_EQ(code, 0) << repaired.dump();
  EXPECT_EQ(repaired["bodies_dropped"], 1u);
  ASSERT_TRUE(waitFor([&] { return bodyHeld(b, flipped_id); }, seconds(60))) << b.logFile();
  const int64_t refetch_ms = steadyNowMs() - repair_start;
  ASSERT_TRUE(waitFor([&] { return bodyHeld(c, flipped_id); }, seconds(60))) << c.logFile();

  for (const NodeProcess* node : {&a, &b, &c}) {
    nlohmann::json report = verifyJson(*node, {}, &code);
    EXPECT_EQ(code, 0) << node->dir() << " " << report.dump();
    EXPECT_EQ(getRecord(*node, flipped_id)["record"], getRecord(a, flipped_id)["record"]);
  }
  EXPECT_TRUE(converged({&b, &a, &c}, seconds(30)));
  reportFigures({{"case", "22 corrupt store"},
                 {"flipped_seq", flipped_seq},
                 {"file_offset", *offset},
                 {"refused_on_serve", b_daemon["store_corrupt_refused"]},
                 {"detected", true},
                 {"ms_repair_to_body_back_on_b", refetch_ms}});
}

}  // namespace
}  // namespace eichub::testing
