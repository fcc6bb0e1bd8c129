// Integration tests of the HTTP surface: a real daemon, real HTTP requests (cpp-httplib's
// client), every endpoint, its JSON shapes and its refusals.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::NodeProcess;

constexpr char kToken[] = "test-token-0123456789abcdef";
constexpr char kWoundCare[] =
    R"({"kind":"LearningResource","id":"http://example.org/course/101","title":{"en":"Wound care basics","de":"Grundlagen der Wundversorgung"},"sectors":["healthcare"],"region":"UKE42"})";

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<NodeProcess>(dir_.file("a"), "Leeds", "UKE42");
    node_->setApiToken(kToken);
    node_->start();
    address_ = node_->httpAddress();
    ASSERT_FALSE(address_.empty()) << "daemon.json has no http address";
    client_ = testing::httpClient(address_, 30);
  }

  // GET path; the answer must come, and be JSON when json is set.
  httplib::Result get(const std::string& path) {
    auto res = client_->Get(path);
    EXPECT_TRUE(res) << "GET " << path << ": " << httplib::to_string(res.error());
    return res;
  }
  json getJson(const std::string& path, int expect_status) {
    auto res = get(path);
    if (!res) return json();
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(res->body, nullptr, false);
  }
  // A counter without labels from /metrics; -1 when it is not there.
  long counter(const std::string& metric) {
    auto res = get("/metrics");
    if (!res) return -1;
    const std::string name = "\n" + metric + " ";
    size_t at = res->body.find(name);
    return at == std::string::npos ? -1 : std::stol(res->body.substr(at + name.size()));
  }
  httplib::Result publish(const std::string& body, const std::string& token = kToken) {
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto res = client_->Post("/api/v1/publish", headers, body, "application/x-ndjson");
    EXPECT_TRUE(res) << "POST publish: " << httplib::to_string(res.error());
    return res;
  }
  // Lines of n LearningResources with ids prefix/0..n-1.
  static std::string resources(const std::string& prefix, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      out += R"({"kind":"LearningResource","id":")" + prefix + "/" + std::to_string(i) +
             R"(","title":{"en":"Nursing course )" + std::to_string(i) + R"("}})" + "\n";
    }
    return out;
  }
  // The node's own feed starts with its cluster profile (written by init).
  uint64_t lastChange() { return getJson("/api/v1/status", 200)["store"]["last_change"]; }
  static void expectError(const json& body, const std::string& code) {
    ASSERT_TRUE(body.is_object()) << body;
    EXPECT_EQ(body["error"]["code"], code) << body;
    EXPECT_TRUE(body["error"]["message"].is_string() && !body["error"]["message"].empty());
  }

  testing::TempDir dir_;
  std::unique_ptr<NodeProcess> node_;
  std::string address_;  // host:port
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpApiTest, HealthAndReadinessAreSeparateEndpoints) {
  json health = getJson("/healthz", 200);
  EXPECT_EQ(health["status"], "ok");
  json ready = getJson("/readyz", 200);  // no peers: nothing to catch up with
  EXPECT_EQ(ready["status"], "ready");
  EXPECT_EQ(ready["store_open"], true);
  EXPECT_EQ(ready["listening"], true);
  EXPECT_EQ(ready["catching_up"], false);
}

TEST_F(HttpApiTest, StatusPeersAndFeedsDescribeTheNode) {
  ASSERT_EQ(publish(std::string(kWoundCare) + "\n")->status, 200);
  json status = getJson("/api/v1/status", 200);
  EXPECT_EQ(status["node"]["name"], "Leeds");
  EXPECT_EQ(status["node"]["region"], "UKE42");
  EXPECT_EQ(status["node"]["id"], node_->nodeId());
  EXPECT_EQ(status["node"]["peer_card"].get<std::string>().rfind("eichub-peer:v1:", 0), 0u);
  EXPECT_EQ(status["records_by_kind"]["LearningResource"], 1);
  EXPECT_EQ(status["records_by_kind"]["ClusterProfile"], 1);
  EXPECT_EQ(status["store"]["last_change"], 2);  // the profile, then the course
  EXPECT_EQ(status["sync"]["catching_up"], false);
  EXPECT_GT(status["store"]["bytes"].get<uint64_t>(), 0u);

  json peers = getJson("/api/v1/peers", 200);
  ASSERT_TRUE(peers["peers"].is_array());
  EXPECT_TRUE(peers["peers"].empty());

  json feeds = getJson("/api/v1/feeds", 200);
  ASSERT_EQ(feeds["feeds"].size(), 1u);
  EXPECT_EQ(feeds["feeds"][0]["author"], node_->nodeId());
  EXPECT_EQ(feeds["feeds"][0]["own"], true);
  EXPECT_EQ(feeds["feeds"][0]["seq"], 2);
  EXPECT_EQ(feeds["feeds"][0]["frozen"], false);
  // No peers: the node is the only holder it knows of, at its own head.
  const json& holders = feeds["feeds"][0]["holders"];
  ASSERT_EQ(holders.size(), 1u) << holders;
  EXPECT_EQ(holders[0]["peer"], node_->nodeId());
  EXPECT_EQ(holders[0]["self"], true);
  EXPECT_EQ(holders[0]["seq"], 2);
  EXPECT_EQ(holders[0]["state"], "at_head");

  // Its own records count under the region of its config.
  EXPECT_EQ(status["records_by_region"],
            json({{"UKE42", {{"ClusterProfile", 1}, {"LearningResource", 1}}}}));
}

TEST_F(HttpApiTest, RecordsAreFoundByIdAndMissingOnesAre404) {
  ASSERT_EQ(publish(std::string(kWoundCare) + "\n")->status, 200);
  json found =
      getJson("/api/v1/records/" + testing::percentEncode("http://example.org/course/101"), 200);
  ASSERT_EQ(found["records"].size(), 1u);
  const json& record = found["records"][0];
  EXPECT_EQ(record["kind"], "LearningResource");
  EXPECT_EQ(record["author"], node_->nodeId());
  EXPECT_EQ(record["signed_by"], node_->nodeId());
  EXPECT_EQ(record["label"], "Wound care basics");
  EXPECT_EQ(record["record"]["title"]["de"], "Grundlagen der Wundversorgung");

  expectError(getJson("/api/v1/records/no-such-record", 404), "not_found");
  expectError(getJson("/api/v1/records/" + std::string(300, 'x'), 400), "bad_request");
}

TEST_F(HttpApiTest, SearchPagesWithACursorAndRefusesBadParameters) {
  ASSERT_EQ(publish(resources("nursing", 5))->status, 200);
  json first = getJson("/api/v1/search?q=nursing&kind=resource&limit=2", 200);
  ASSERT_EQ(first["results"].size(), 2u);
  ASSERT_TRUE(first["next_cursor"].is_string());
  std::set<std::string> ids;
  std::string cursor = first["next_cursor"];
  for (const json& hit : first["results"]) ids.insert(hit["id"].get<std::string>());
  while (!cursor.empty()) {
    json page = getJson("/api/v1/search?q=nursing&limit=2&cursor=" + cursor, 200);
    for (const json& hit : page["results"]) ids.insert(hit["id"].get<std::string>());
    cursor = page["next_cursor"].is_string() ? page["next_cursor"].get<std::string>() : "";
  }
  EXPECT_EQ(ids.size(), 5u);  // every hit once over the pages
  EXPECT_TRUE(getJson("/api/v1/search?q=nursing&kind=skill", 200)["results"].empty());

  for (const std::string& bad : std::vector<std::string>{
           "/api/v1/search", "/api/v1/search?q=nursing&limit=0",
           "/api/v1/search?q=nursing&limit=101", "/api/v1/search?q=nursing&limit=ten",
           "/api/v1/search?q=nursing&kind=spaceship", "/api/v1/search?q=nursing&cursor=-1",
           "/api/v1/search?q=" + std::string(300, 'a')}) {
    json body = getJson(bad, 400);
    expectError(body, "bad_request");
  }
  EXPECT_NE(
      getJson("/api/v1/search?q=nursing&limit=0", 400)["error"]["message"].get<std::string>().find(
          "limit"),
      std::string::npos);
}

TEST_F(HttpApiTest, UnknownPathsAndMethodsGetJsonErrors) {
  expectError(getJson("/api/v1/nothing-here", 404), "not_found");
  expectError(getJson("/no/such/page", 404), "not_found");
}

TEST_F(HttpApiTest, PublishNeedsTheTokenAndRefusesBadOrOversizedBodies) {
  const uint64_t before = lastChange();
  auto no_token = publish(kWoundCare, "");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  expectError(json::parse(no_token->body), "unauthorized");
  auto wrong = publish(kWoundCare, "not-the-token-at-all");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(lastChange(), before);  // nothing written

  auto bad = publish(resources("a", 2) + "{\"kind\":\"Spaceship\",\"id\":\"x\"}\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  json bad_body = json::parse(bad->body);
  expectError(bad_body, "bad_request");
  EXPECT_NE(bad_body["error"]["message"].get<std::string>().find("body:3"), std::string::npos)
      << bad_body;

  auto huge = publish(std::string((16u << 20) + 1, ' '));
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 413);
  expectError(json::parse(huge->body), "payload_too_large");

  // A form body over httplib's form cap is refused with that cap in the message (issue 17, 10).
  httplib::Headers auth{{"Authorization", std::string("Bearer ") + kToken}};
  auto form = client_->Post("/api/v1/publish", auth, std::string(9000, 'a'),
                            "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 413);
  json form_body = json::parse(form->body, nullptr, false);
  EXPECT_NE(form_body["error"]["message"].get<std::string>().find("larger than 8192 bytes"),
            std::string::npos)
      << form->body;

  auto good = publish(resources("a", 3));
  ASSERT_TRUE(good);
  ASSERT_EQ(good->status, 200) << good->body;
  EXPECT_EQ(json::parse(good->body)["added"], 3);
  auto again = publish(resources("a", 3));
  EXPECT_EQ(json::parse(again->body)["unchanged"], 3);
  EXPECT_EQ(node_->seqOf(node_->nodeId()), before + 3);  // what the CLI sees in the store
}

TEST_F(HttpApiTest, ChangeFeedIsInOrderResumesFromACursorAndLongPolls) {
  const uint64_t base = lastChange();
  using std::chrono::system_clock;
  const auto msNow = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               system_clock::now().time_since_epoch())
        .count();
  };
  const int64_t published_after = msNow();
  ASSERT_EQ(publish(resources("c", 5))->status, 200);
  const int64_t published_before = msNow();
  json all = getJson("/api/v1/changes?since=0", 200);
  ASSERT_EQ(all["results"].size(), base + 5);
  for (size_t i = 0; i < base + 5; ++i) {
    EXPECT_EQ(all["results"][i]["seq"], i + 1);
    EXPECT_EQ(all["results"][i]["feed_seq"], i + 1);  // one feed: its order is apply order
    EXPECT_EQ(all["results"][i]["author"], node_->nodeId());
  }
  EXPECT_EQ(all["results"][base]["id"], "c/0");
  // When the daemon stored it, by its clock: within the publish.
  const int64_t applied = all["results"][base]["applied_ms"].get<int64_t>();
  EXPECT_GE(applied, published_after);
  EXPECT_LE(applied, published_before);
  EXPECT_EQ(all["last_seq"], base + 5);
  json rest = getJson("/api/v1/changes?since=" + std::to_string(base + 3), 200);
  ASSERT_EQ(rest["results"].size(), 2u);
  EXPECT_EQ(rest["results"][0]["seq"], base + 4);
  EXPECT_EQ(rest["results"][0]["id"], "c/3");
  EXPECT_EQ(getJson("/api/v1/changes?since=2&limit=1", 200)["results"].size(), 1u);
  const std::string last = std::to_string(base + 5);
  EXPECT_TRUE(getJson("/api/v1/changes?since=" + last, 200)["results"].empty());

  // A long poll from the last cursor answers with the next update once it is published.
  json polled;
  std::thread poller([&] {
    auto res = testing::httpClient(address_, 60)
                   ->Get("/api/v1/changes?since=" + last + "&feed=longpoll&timeout=30000");
    if (res) polled = json::parse(res->body, nullptr, false);
  });
  ASSERT_EQ(publish(resources("d", 1))->status, 200);
  poller.join();
  ASSERT_TRUE(polled.is_object());
  // With nothing new, a long poll answers empty once its timeout passes.
  json waited = getJson(
      "/api/v1/changes?since=" + std::to_string(base + 6) + "&feed=longpoll&timeout=200", 200);
  EXPECT_TRUE(waited["results"].empty());
  EXPECT_EQ(waited["last_seq"], base + 6);
  ASSERT_EQ(polled["results"].size(), 1u) << polled;
  EXPECT_EQ(polled["results"][0]["seq"], base + 6);
  EXPECT_EQ(polled["results"][0]["id"], "d/0");

  for (const char* bad :
       {"/api/v1/changes?since=x", "/api/v1/changes?limit=0", "/api/v1/changes?limit=1001",
        "/api/v1/changes?feed=stream", "/api/v1/changes?feed=longpoll&timeout=60001"}) {
    expectError(getJson(std::string(bad), 400), "bad_request");
  }
}

TEST_F(HttpApiTest, MetricsArePrometheusTextWithoutPerRecordLabels) {
  ASSERT_EQ(publish(std::string(kWoundCare) + "\n")->status, 200);
  auto res = get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/plain"), std::string::npos);
  const std::string& text = res->body;
  for (const char* line :
       {"eichub_records{kind=\"LearningResource\"} 1", "eichub_updates_published_total 2",
        "# TYPE eichub_commit_seconds histogram", "# TYPE eichub_receive_seconds histogram",
        "eichub_sync_catching_up 0", "eichub_feeds 1", "eichub_feeds_frozen 0",
        "eichub_store_map_bytes"}) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing " << line << " in\n" << text;
  }
  EXPECT_EQ(text.find("course/101"), std::string::npos) << "a record id became a label";
}

// An idle daemon gives the heap it freed back to the system once per quiet spell (idle_trim.h):
// once after its start, not again while nothing happens, once more after a publish.
TEST_F(HttpApiTest, AnIdleDaemonGivesFreedHeapBackOncePerQuietSpell) {
  auto trims = [&] { return counter("eichub_heap_trims_total"); };
  ASSERT_TRUE(testing::waitFor([&] { return trims() == 1; }, std::chrono::seconds(20))) << trims();
  std::this_thread::sleep_for(std::chrono::seconds(7));  // longer than kIdleTrimMs
  EXPECT_EQ(trims(), 1);
  ASSERT_EQ(publish(std::string(kWoundCare) + "\n")->status, 200);
  EXPECT_TRUE(testing::waitFor([&] { return trims() == 2; }, std::chrono::seconds(20))) << trims();
}

// The daemon builds the snapshot its HTTP answers show when one is read, not after every event
// (node_snapshot.h): publishes seconds apart, nobody reading, then one read builds one snapshot,
// and it shows the last publish.
TEST_F(HttpApiTest, ASnapshotIsBuiltWhenReadNotAfterEveryEvent) {
  auto snapshots = [&] { return counter("eichub_snapshots_total"); };
  auto ownSeq = [&] {
    json feeds = getJson("/api/v1/feeds", 200);
    return feeds["feeds"].empty() ? 0 : feeds["feeds"][0]["seq"].get<int>();
  };
  const int seq = ownSeq();
  const long before = snapshots();
  ASSERT_GT(before, 0);
  for (int i = 0; i < 3; ++i) {
    const std::string record =
        std::string(R"({"kind":"LearningResource","id":"http://example.org/c/)") +
        std::to_string(i) + R"(","title":{"en":"Course"}})";
    ASSERT_EQ(publish(record + "\n")->status, 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the old schedule's 1 s
  }
  EXPECT_EQ(snapshots(), before + 1);
  EXPECT_EQ(ownSeq(), seq + 3);
}

// A real erase shows in the store's counts everywhere an operator looks; a signed expiry in
// the past shows the feed as stale there too (by the daemon's clock; a report only).

TEST_F(HttpApiTest, ErasedBodiesAndStaleFeedsShowInStatusAndMetrics) {
  ASSERT_EQ(publish(std::string(kWoundCare) + "\n")->status, 200);
  EXPECT_EQ(getJson("/api/v1/status", 200)["store"]["erased_bodies"], 0);
  EXPECT_NE(get("/metrics")->body.find("eichub_store_erased_bodies 0"), std::string::npos);
  node_->ok({"erase", "--kind", "resource", "--id", "http://example.org/course/101"});
  json status = getJson("/api/v1/status", 200);
  EXPECT_EQ(status["store"]["erased_bodies"], 1) << status.dump();
  EXPECT_EQ(status["trust"]["stale_feeds"], 0) << status.dump();
  json cli = node_->status();
  EXPECT_EQ(cli["erased_bodies"], 1) << cli.dump();
  EXPECT_EQ(cli["daemon"]["erased_bodies"], 1) << cli.dump();
  std::string metrics = get("/metrics")->body;
  EXPECT_NE(metrics.find("eichub_store_erased_bodies 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("eichub_feeds_stale{reason=\"expired\"} 0"), std::string::npos);

  node_->ok({"trust", "expires", "2020-01-01"});
  json stale;
  EXPECT_TRUE(testing::waitFor(
      [&] {
        stale = getJson("/api/v1/status", 200);
        return stale["trust"]["stale_feeds"] == 1;
      },
      std::chrono::seconds(10)));
  ASSERT_EQ(stale["trust"]["stale_feeds"], 1) << stale.dump();
  EXPECT_EQ(stale["trust"]["stale"][0]["author"], node_->nodeId());
  EXPECT_EQ(stale["trust"]["stale"][0]["reason"], "expired");
  EXPECT_EQ(getJson("/api/v1/feeds", 200)["feeds"][0]["stale"], "expired");
  EXPECT_NE(get("/metrics")->body.find("eichub_feeds_stale{reason=\"expired\"} 1"),
            std::string::npos);
  EXPECT_EQ(node_->daemonStatus()["stale_feeds"], 1);
  EXPECT_EQ(node_->status()["stale_feeds"], 1);
}

}  // namespace
}  // namespace eichub
