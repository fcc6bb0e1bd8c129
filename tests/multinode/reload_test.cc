// SIGHUP on a real daemon: config.toml's reloadable keys take effect without a restart (the API
// token, the [subscribe] section), the rest are reported as needing one, in one log line.
#include <csignal>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr char kOldToken[] = "old-token-0123456789";
constexpr char kNewToken[] = "new-token-9876543210";
constexpr char kCourse[] = R"({"kind":"LearningResource","id":"c/1","title":{"en":"Wound care"}})";

// Whether the daemon's log holds a line with every one of parts.
bool logHas(const NodeProcess& node, const std::vector<std::string>& parts) {
  std::istringstream log(readFile(node.logFile()));
  for (std::string line; std::getline(log, line);) {
    bool all = true;
    for (const std::string& part : parts) all = all && line.find(part) != std::string::npos;
    if (all) return true;
  }
  return false;
}

TEST(DaemonReloadProcessTest, HupSwapsTheApiTokenAndReportsWhatNeedsARestart) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "Leeds", "UKE42");
  ASSERT_TRUE(a.editConfig("api_token = \"\"", std::string("api_token = \"") + kOldToken + "\""));
  a.start();
  const std::string http = a.httpAddress();
  EXPECT_EQ(httpPublish(http, kOldToken, kCourse).status, 200);
  EXPECT_EQ(httpPublish(http, kNewToken, kCourse).status, 401);

  ASSERT_TRUE(a.editConfig(kOldToken, kNewToken));
  ASSERT_TRUE(a.editConfig("name = \"Leeds\"", "name = \"Leeds Health\""));
  a.signal(SIGHUP);
  // --log-level on the command line (NodeProcess passes debug) outranks the file: not applied.
  ASSERT_TRUE(waitFor(
      [&] {
        return logHas(a, {"event=reload", "trigger=HUP", "ok=true", "applied=http.api_token",
                          "restart_needed=node.name"});
      },
      seconds(20)))
      << readFile(a.logFile());
  EXPECT_EQ(httpPublish(http, kOldToken, kCourse).status, 401);
  EXPECT_EQ(httpPublish(http, kNewToken, kCourse).status, 200);
  // The node card is fixed until a restart.
  EXPECT_EQ(httpGetJson(http, "/api/v1/status")["node"]["name"], "Leeds");

  // A config that does not parse leaves everything in force and says so.
  ASSERT_TRUE(a.editConfig("[http]", "[http"));
  a.signal(SIGHUP);
  ASSERT_TRUE(waitFor(
      [&] {
        return logHas(a, {"event=reload", "ok=false", "config_file="});
      },
      seconds(20)))
      << readFile(a.logFile());
  EXPECT_EQ(httpPublish(http, kNewToken, kCourse).status, 200);
  EXPECT_EQ(a.stop(), 0);
}

// Whether node holds the body of record id (the API shows "record" only then).
bool holdsBody(const NodeProcess& node, const std::string& id) {
  nlohmann::json found = httpGetJson(node.httpAddress(), "/api/v1/records/" + id);
  if (!found.is_object() || !found.contains("records")) return false;
  for (const auto& record : found["records"]) {
    if (record.contains("record")) return true;
  }
  return false;
}

TEST(DaemonReloadProcessTest, HupAppliesANewSubscriptionAndFetchesItsBodies) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "Leeds", "UKE42");
  NodeProcess b(dir.file("b"), "Bremen", "DE50");
  writeResources(dir.file("a.jsonl"), "leeds", 3);
  a.ok({"publish", dir.file("a.jsonl")});
  // B keeps Skill bodies only: A's courses arrive as headers.
  ASSERT_TRUE(b.editConfig("\nkinds = []", "\nkinds = [\"Skill\"]"));
  a.start();
  b.start();
  peerBothWays(a, b);
  const std::string a_id = a.nodeId();
  ASSERT_TRUE(waitFor([&] { return b.seqOf(a_id) == 4; }, seconds(60))) << b.logFile();
  EXPECT_FALSE(holdsBody(b, "leeds/0"));
  EXPECT_TRUE(holdsBody(a, "leeds/0"));

  ASSERT_TRUE(b.editConfig("\nkinds = [\"Skill\"]", "\nkinds = []"));
  b.signal(SIGHUP);
  ASSERT_TRUE(
      waitFor([&] { return holdsBody(b, "leeds/0") && holdsBody(b, "leeds/2"); }, seconds(60)))
      << "B did not fetch the newly subscribed bodies; see " << b.logFile();
  EXPECT_TRUE(logHas(b, {"event=reload", "trigger=HUP", "applied=subscribe"}))
      << readFile(b.logFile());
  // Both feeds travel both ways: equal once each node holds the other's latest updates.
  EXPECT_TRUE(converged({&a, &b}, seconds(30))) << a.digest() << " != " << b.digest();
}

// `peer add` tells a running daemon to reload over its control channel; a daemon too busy to
// answer within the request's second (here: stopped) still gets it, by SIGHUP, and the command
// says nothing went wrong.
TEST(DaemonReloadProcessTest, APeerAddReachesADaemonTooBusyToAnswerByHup) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "Leeds", "UKE42");
  NodeProcess b(dir.file("b"), "Bremen", "DE50");
  a.start();
  b.start();
  b.ok({"peer", "add", a.card()});  // B admits A
  const std::string card = b.card();
  a.signal(SIGSTOP);
  ProcessResult added = a.cli({"peer", "add", card});
  a.signal(SIGCONT);
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(added.err.find("did not reload"), std::string::npos) << added.err;
  EXPECT_TRUE(waitFor(
      [&] {
        return logHas(a, {"event=reload", "trigger=HUP"});
      },
      seconds(30)))
      << readFile(a.logFile());
  // The reload took the new peer: A has a client link to B.
  const std::string b_key = transportKeyOf(b);
  auto linked = [&] {
    const nlohmann::json daemon = a.daemonStatus();
    if (!daemon.is_object()) return false;
    for (const auto& link : daemon["links"]) {
      if (link["peer_key"] == b_key && link["role"] == "client") return true;
    }
    return false;
  };
  EXPECT_TRUE(waitFor(linked, seconds(30))) << a.daemonStatus().dump();
}

}  // namespace
}  // namespace eichub::testing
