// Which config.toml changes a running daemon applies on reload, and which it reports as needing
// a restart.
#include "node/daemon/reload.h"

#include <gtest/gtest.h>

namespace eichub::daemon {
namespace {

using Keys = std::vector<std::string>;

constexpr char kBoundListen[] = "tcp://127.0.0.1:40123";
constexpr char kBoundHttp[] = "127.0.0.1:40124";

config::Options running() {
  config::Options o;
  o.name = "Leeds";
  o.region = "UKE42";
  o.listen = "tcp://127.0.0.1:*";
  o.http_listen = "127.0.0.1:0";
  o.http_api_token = "old-token";
  return o;
}

TEST(DaemonReloadTest, NoChangeIsAnEmptyDiff) {
  EXPECT_TRUE(diffOptions(running(), running(), kBoundListen, kBoundHttp, false).empty());
}

TEST(DaemonReloadTest, SubscribeLogLevelAndTokenApplyAtOnce) {
  config::Options loaded = running();
  loaded.subscribe_kinds = {"LearningResource"};
  loaded.log_level = "debug";
  loaded.http_api_token = "new-token";
  ConfigDiff diff = diffOptions(running(), loaded, kBoundListen, kBoundHttp, false);
  EXPECT_EQ(diff.applied, (Keys{kReloadSubscribe, kReloadLogLevel, kReloadApiToken}));
  EXPECT_TRUE(diff.restart.empty());
  EXPECT_EQ(joinKeys(diff.applied), "subscribe,log.level,http.api_token");
}

TEST(DaemonReloadTest, LogLevelPinnedByTheFlagIsNotApplied) {
  config::Options loaded = running();
  loaded.log_level = "warn";
  EXPECT_TRUE(diffOptions(running(), loaded, kBoundListen, kBoundHttp, true).empty());
}

TEST(DaemonReloadTest, NodeCardListenStoreAndLimitChangesNeedARestart) {
  config::Options loaded = running();
  loaded.name = "Leeds Health";
  loaded.listen = "tcp://127.0.0.1:7999";
  loaded.store_max_map_mb = 2048;
  loaded.limits.max_updates_per_author = 1000;
  loaded.limits.sync_serve_budget_bytes = 1 << 20;
  loaded.limits.http_max_body_bytes = 4096;
  ConfigDiff diff = diffOptions(running(), loaded, kBoundListen, kBoundHttp, false);
  EXPECT_TRUE(diff.applied.empty());
  EXPECT_EQ(diff.restart, (Keys{"node.name", "federation.listen", "store.max_map_mb",
                                "limits.max_updates_per_author", "limits.sync.serve_budget_bytes",
                                "limits.http.max_body_bytes"}));
  EXPECT_EQ(joinKeys({}), "-");
}

TEST(DaemonReloadTest, ListenPinnedToTheBoundAddressIsNoChange) {
  config::Options loaded = running();
  loaded.listen = kBoundListen;  // what a wildcard port resolved to, written back by a test
  loaded.http_listen = kBoundHttp;
  EXPECT_TRUE(diffOptions(running(), loaded, kBoundListen, kBoundHttp, false).empty());
}

}  // namespace
}  // namespace eichub::daemon
