// GET /api/v1/match, GET /api/v1/gaps and POST /api/v1/align of a running daemon, over real
// HTTP, against the hand-written catalogue of tests/testdata/match_mini: the answers equal the
// CLI's for the same query, and bad queries get a JSON error naming the parameter.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::NodeProcess;

const std::string kSkill = "http://data.europa.eu/esco/skill/match-";

class HttpMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<NodeProcess>(dir_.file("a"), "Leeds", "UKE42");
    for (const char* file : {"esco.jsonl", "leeds.jsonl", "bremen.jsonl", "needs.jsonl"}) {
      auto published =
          node_->cli({"publish", std::string(EICHUB_TESTDATA) + "/match_mini/" + file});
      ASSERT_EQ(published.exit_code, 0) << file << ": " << published.err;
    }
    node_->start();
    const std::string address = node_->httpAddress();
    ASSERT_FALSE(address.empty()) << "daemon.json has no http address";
    client_ = testing::httpClient(address, 30);
  }

  json getJson(const std::string& path, int expect_status) {
    auto res = client_->Get(path);
    EXPECT_TRUE(res) << "GET " << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expect_status) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }
  json cliJson(std::vector<std::string> args) {
    args.push_back("--json");
    auto result = node_->cli(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return json::parse(result.out, nullptr, false);
  }
  static void expectBadRequest(const json& body, const std::string& word) {
    ASSERT_TRUE(body.is_object()) << body;
    EXPECT_EQ(body["error"]["code"], "bad_request") << body;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(word), std::string::npos) << body;
  }

  testing::TempDir dir_;
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpMatchTest, MatchAnswersAsTheCliDoes) {
  json by_skills = getJson(
      "/api/v1/match?skills=" + kSkill + "wound-care," + kSkill + "documentation&lang=en", 200);
  ASSERT_FALSE(by_skills["offers"].empty()) << by_skills;
  EXPECT_EQ(by_skills["uncovered"], json::array({kSkill + "documentation"}));
  EXPECT_EQ(by_skills,
            cliJson({"match", "--skills", kSkill + "wound-care," + kSkill + "documentation",
                     "--lang", "en"}));

  json by_need = getJson("/api/v1/match?need=leeds/need/wounds", 200);
  EXPECT_EQ(by_need, cliJson({"match", "--need", "leeds/need/wounds"}));
  json online = getJson("/api/v1/match?need=leeds/need/wounds&mode=online&max_eqf=4", 200);
  EXPECT_EQ(online, cliJson({"match", "--need", "leeds/need/wounds", "--mode", "online",
                             "--max-eqf", "4"}));
  EXPECT_LT(online["candidates"].get<size_t>(), by_need["candidates"].get<size_t>())
      << "the filters left every resource in";
}

TEST_F(HttpMatchTest, GapsComeAsJsonOrCsv) {
  json report = getJson("/api/v1/gaps?region=UKE42&max_offers=0", 200);
  ASSERT_EQ(report["gaps"].size(), 1u) << report;
  EXPECT_EQ(report["gaps"][0]["skill"], kSkill + "documentation");
  EXPECT_EQ(report, cliJson({"gaps", "--region", "UKE42", "--max-offers", "0"}));

  auto csv = client_->Get("/api/v1/gaps?region=UKE42&max_offers=0&format=csv");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv->body.substr(0, csv->body.find('\n')),
            "region,sector,skill,label,demand,needs,offers,offers_in_region");
  EXPECT_NE(csv->body.find(kSkill + "documentation"), std::string::npos) << csv->body;
}

TEST_F(HttpMatchTest, AlignSuggestsAndPublishesNothing) {
  auto res = client_->Post(
      "/api/v1/align?min_score_pct=30",
      R"({"kind":"LearningResource","id":"c/1","title":{"en":"Administer medication"}})"
      "\n"
      R"({"kind":"LearningResource","id":"c/2","title":{"en":"Lorem ipsum"}})"
      "\n",
      "application/x-ndjson");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json body = json::parse(res->body);
  ASSERT_EQ(body["resources"].size(), 2u);
  EXPECT_EQ(body["resources"][0]["suggestions"][0]["skill"], kSkill + "medication");
  EXPECT_TRUE(body["resources"][1]["suggestions"].empty());
  // Nothing was published: c/1 is not a record of this node.
  EXPECT_EQ(getJson("/api/v1/records/c/1", 404)["error"]["code"], "not_found");
}

TEST_F(HttpMatchTest, BadQueriesAreRefusedWithTheirReason) {
  expectBadRequest(getJson("/api/v1/match", 400), "need");
  expectBadRequest(getJson("/api/v1/match?skills=" + kSkill + "hygiene&max_eqf=9", 400), "max_eqf");
  expectBadRequest(getJson("/api/v1/match?skills=" + kSkill + "hygiene&mode=teleport", 400),
                   "mode");
  expectBadRequest(getJson("/api/v1/match?skills=" + kSkill + "hygiene&limit=0", 400), "limit");
  EXPECT_EQ(getJson("/api/v1/match?need=no/such/need", 404)["error"]["code"], "not_found");
  expectBadRequest(getJson("/api/v1/gaps?format=xml", 400), "format");
  expectBadRequest(getJson("/api/v1/gaps?limit=-3", 400), "limit");
  auto align = client_->Post("/api/v1/align", "{not json\n", "application/x-ndjson");
  ASSERT_TRUE(align);
  EXPECT_EQ(align->status, 400) << align->body;
}

}  // namespace
}  // namespace eichub
