// Integration tests of need post, match, gaps and align: the real eichub binary on real homes
// filled from tests/testdata/match_mini, and two homes converged through feed files.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/cli_fixture.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::ProcessResult;

const std::string kSkill = "http://data.europa.eu/esco/skill/match-";
const std::string kAssistant = "http://data.europa.eu/esco/occupation/match-healthcare-assistant";

class MatchCliTest : public testing::CliFixture {
 protected:
  std::string mini(const std::string& file) {
    return testing::testDataDir() + "/match_mini/" + file;
  }
  void init(const std::string& name, const std::vector<std::string>& files) {
    ok({"init", "--home", home(name), "--name", name, "--region", "UKE42"});
    for (const std::string& f : files) ok({"publish", "--home", home(name), mini(f)});
  }
};

TEST_F(MatchCliTest, NeedPostThenMatchAndGaps) {
  init("a", {"esco.jsonl", "leeds.jsonl", "bremen.jsonl"});
  json posted = json::parse(ok({"need", "post", "--home", home("a"), "--skills",
                                kSkill + "wound-care," + kSkill + "documentation", "--region",
                                "UKE42", "--sector", "healthcare", "--headcount", "12", "--json"}));
  std::string id = posted["id"];
  EXPECT_TRUE(posted["published"].get<bool>());
  // The same need again is the same record: nothing new is published.
  json again = json::parse(ok({"need", "post", "--home", home("a"), "--skills",
                               kSkill + "wound-care," + kSkill + "documentation", "--region",
                               "UKE42", "--sector", "healthcare", "--headcount", "12", "--json"}));
  EXPECT_EQ(again["id"], id);
  EXPECT_FALSE(again["published"].get<bool>());

  json answer = json::parse(ok({"match", "--home", home("a"), "--need", id, "--json"}));
  ASSERT_FALSE(answer["offers"].empty());
  EXPECT_EQ(answer["offers"][0]["reasons"][0]["via"], "exact");
  EXPECT_EQ(answer["uncovered"], json::array({kSkill + "documentation"}));
  EXPECT_TRUE(answer.contains("attribution"));

  std::string csv =
      ok({"gaps", "--home", home("a"), "--region", "UKE42", "--max-offers", "0", "--csv"});
  EXPECT_EQ(csv,
            "region,sector,skill,label,demand,needs,offers,offers_in_region\n"
            "UKE42,healthcare," +
                kSkill + "documentation,document patient care,12,1,0,0\n");
}

TEST_F(MatchCliTest, BadInputFailsWithAReason) {
  init("a", {"esco.jsonl"});
  ProcessResult unknown =
      eichub({"need", "post", "--home", home("a"), "--skills", kSkill + "no-such-skill"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no-such-skill"), std::string::npos) << unknown.err;
  ProcessResult empty = eichub({"need", "post", "--home", home("a"), "--region", "UKE42"});
  EXPECT_EQ(empty.exit_code, 1);
  ProcessResult no_need = eichub({"match", "--home", home("a")});
  EXPECT_EQ(no_need.exit_code, 1);
  EXPECT_NE(no_need.err.find("empty need"), std::string::npos) << no_need.err;
  ProcessResult eqf =
      eichub({"match", "--home", home("a"), "--skills", kSkill + "wound-care", "--max-eqf", "12"});
  EXPECT_EQ(eqf.exit_code, 1);
  EXPECT_NE(eqf.err.find("EQF"), std::string::npos) << eqf.err;
  ProcessResult occupation = eichub({"match", "--home", home("a"), "--occupation", kSkill + "x"});
  EXPECT_EQ(occupation.exit_code, 1);
  ProcessResult region = eichub({"gaps", "--home", home("a"), "--region", "somewhere"});
  EXPECT_EQ(region.exit_code, 1);
  // Only unknown skills: an empty answer that says why, not a failure.
  ProcessResult ghost = eichub({"match", "--home", home("a"), "--skills", kSkill + "ghost"});
  EXPECT_EQ(ghost.exit_code, 0);
  EXPECT_NE(ghost.err.find("none of the need's skills"), std::string::npos) << ghost.err;
}

TEST_F(MatchCliTest, AlignWritesAReviewFileAndPublishableRecords) {
  init("a", {"esco.jsonl"});
  std::string input = dir_.file("courses.jsonl");
  std::ofstream(input)
      << R"({"kind":"LearningResource","id":"c/1","title":{"en":"Administer medication"}})"
         "\n"
      << R"({"kind":"LearningResource","id":"c/2","title":{"en":"Lorem ipsum"}})"
         "\n";
  std::string publishable = dir_.file("aligned.jsonl");
  std::string review =
      ok({"align", "--home", home("a"), input, "--min-score", "0.3", "--publishable", publishable});
  std::istringstream lines(review);
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  json c1 = json::parse(first);
  ASSERT_EQ(c1["suggestions"].size(), 1u);
  EXPECT_EQ(c1["suggestions"][0]["skill"], kSkill + "medication");
  EXPECT_EQ(c1["suggestions"][0]["matched_words"], json::array({"administer", "medication"}));
  EXPECT_TRUE(json::parse(second)["suggestions"].empty());
  // Nothing was published by align; the publishable file publishes as it is.
  json before = json::parse(ok({"status", "--home", home("a"), "--json"}));
  EXPECT_FALSE(before["records"].contains("LearningResource"));
  ok({"publish", "--home", home("a"), publishable});
  json answer =
      json::parse(ok({"match", "--home", home("a"), "--skills", kSkill + "medication", "--json"}));
  ASSERT_EQ(answer["offers"].size(), 1u);
  EXPECT_EQ(answer["offers"][0]["record"]["id"], "c/1");
}

TEST_F(MatchCliTest, ConvergedHomesPrintIdenticalMatches) {
  init("a", {"esco.jsonl", "leeds.jsonl"});
  init("b", {"bremen.jsonl", "needs.jsonl"});
  ok({"feed", "export", "--home", home("a"), "--out", dir_.file("a.feed")});
  ok({"feed", "export", "--home", home("b"), "--out", dir_.file("b.feed")});
  ok({"feed", "import", "--home", home("b"), dir_.file("a.feed"), "--trust"});
  ok({"feed", "import", "--home", home("a"), dir_.file("b.feed"), "--trust"});
  ASSERT_EQ(ok({"digest", "--home", home("a")}), ok({"digest", "--home", home("b")}));
  for (const std::vector<std::string>& query :
       {std::vector<std::string>{"match", "--occupation", kAssistant, "--json"},
        std::vector<std::string>{"match", "--skills", kSkill + "group-care"},
        std::vector<std::string>{"gaps", "--json", "--max-offers", "10"}}) {
    auto on = [&](const std::string& name) {
      std::vector<std::string> args = query;
      args.insert(args.begin() + 1, {"--home", home(name)});
      return ok(args);
    };
    std::string a = on("a");
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(a, on("b")) << query[0];
  }
}

}  // namespace
}  // namespace eichub
