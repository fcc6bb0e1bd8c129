// Skills aligned at import (issue 18): `import csv --align` and `publish --align` on the real
// eichub binary, with tests/testdata/match_mini's skills and, when present, ../shared/data.
#include <filesystem>
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

class ImportAlignTest : public testing::CliFixture {
 protected:
  void init(const std::string& name) {
    ok({"init", "--home", home(name), "--name", name, "--region", "UKE42"});
    ok({"publish", "--home", home(name), testing::testDataDir() + "/match_mini/esco.jsonl"});
  }
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.file(name);
    std::ofstream(path) << text;
    return path;
  }
  // A CSV of two courses that name no skill: one whose title is a match_mini skill label.
  std::vector<std::string> importCsv(const std::string& name, std::vector<std::string> more) {
    std::string mapping = write("mapping.toml",
                                "[[record]]\nkind = \"LearningResource\"\nid = \"c/{id}\"\n"
                                "title = { en = \"{title}\" }\n");
    std::string csv =
        write("courses.csv", "id,title\n1,Carry out wound care\n2,Lorem ipsum dolor\n");
    std::vector<std::string> args = {"import",    "csv",   "--home",  home(name), csv,
                                     "--mapping", mapping, "--align", "--json"};
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  json teaches(const std::string& name, const std::string& id) {
    json got = json::parse(ok({"get", "--home", home(name), id, "--json"}));
    EXPECT_EQ(got["records"].size(), 1u) << id;
    return got["records"][0]["record"].value("teaches", json::array());
  }
};

TEST_F(ImportAlignTest, CsvImportAttachesSuggestedSkills) {
  init("a");
  json summary = json::parse(ok(importCsv("a", {})));
  EXPECT_EQ(summary["added"], 2);
  EXPECT_EQ(summary["aligned"]["resources"], 2);
  EXPECT_EQ(summary["aligned"]["withoutSkills"], 2);
  EXPECT_EQ(summary["aligned"]["withSuggestions"], 1);
  json c1 = teaches("a", "c/1");
  ASSERT_EQ(c1.size(), 1u);
  EXPECT_EQ(c1[0]["skill"], kSkill + "wound-care");
  EXPECT_EQ(c1[0]["relation"], "optional");
  EXPECT_EQ(c1[0]["suggested"], true);
  EXPECT_GE(c1[0]["score"].get<double>(), 0.6);
  EXPECT_LE(c1[0]["score"].get<double>(), 1.0);
  EXPECT_TRUE(teaches("a", "c/2").empty());
  // The suggestion makes the course matchable.
  json answer =
      json::parse(ok({"match", "--home", home("a"), "--skills", kSkill + "wound-care", "--json"}));
  ASSERT_EQ(answer["offers"].size(), 1u);
  EXPECT_EQ(answer["offers"][0]["record"]["id"], "c/1");
  // Importing again aligns the same way: nothing changes.
  json again = json::parse(ok(importCsv("a", {})));
  EXPECT_EQ(again["unchanged"], 2);
}

TEST_F(ImportAlignTest, AThresholdAboveEveryScoreAttachesNothing) {
  init("a");
  // Scores are 1 - e^-x, below 1: --min-score 1 is above every one.
  json summary = json::parse(ok(importCsv("a", {"--min-score", "1"})));
  EXPECT_EQ(summary["added"], 2);
  EXPECT_EQ(summary["aligned"]["withSuggestions"], 0);
  EXPECT_TRUE(teaches("a", "c/1").empty());
  ProcessResult bad = eichub(importCsv("a", {"--min-score", "1.5"}));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--min-score"), std::string::npos) << bad.err;
}

TEST_F(ImportAlignTest, PublishAlignKeepsExplicitSkillsAndExportsSuggestionsMarked) {
  init("a");
  std::string file =
      write("courses.jsonl",
            R"({"kind":"LearningResource","id":"j/1","title":{"en":"Carry out wound care"},)"
            R"("teaches":[{"skill":")" +
                kSkill +
                R"(medication","relation":"essential"}]})"
                "\n"
                R"({"kind":"LearningResource","id":"j/2","title":{"en":"Carry out wound care"}})"
                "\n");
  json summary = json::parse(ok({"publish", "--home", home("a"), file, "--align", "--json"}));
  EXPECT_EQ(summary["aligned"]["withoutSkills"], 1);
  EXPECT_EQ(summary["aligned"]["withSuggestions"], 1);
  json j1 = teaches("a", "j/1");
  ASSERT_EQ(j1.size(), 1u);
  EXPECT_EQ(j1[0], json({{"skill", kSkill + "medication"}, {"relation", "essential"}}));
  json j2 = teaches("a", "j/2");
  ASSERT_EQ(j2.size(), 1u);
  EXPECT_EQ(j2[0]["suggested"], true);

  // ELM marks the suggested outcome, and an import on a fresh node reads the mark back.
  std::string xml = dir_.file("out.xml");
  ok({"export", "elm", "--home", home("a"), "--out", xml});
  std::stringstream text;
  text << std::ifstream(xml).rdbuf();
  EXPECT_EQ(text.str().find("not confirmed by the provider (score"),
            text.str().rfind("not confirmed by the provider (score"))
      << "one suggested outcome";
  ASSERT_NE(text.str().find("not confirmed by the provider (score"), std::string::npos);
  const std::string loq = std::string(EICHUB_SOURCE_DIR) + "/../shared/standards/elm-loq-3.1.0";
  std::error_code ec;
  if (std::filesystem::exists(loq + "/loq.xsd", ec) &&
      std::filesystem::exists("/usr/bin/xmllint", ec)) {
    ProcessResult valid =
        testing::runProcess({"/usr/bin/xmllint", "--noout", "--schema", loq + "/loq.xsd", xml});
    EXPECT_EQ(valid.exit_code, 0) << valid.err.substr(0, 4000);
  }
  ok({"init", "--home", home("b"), "--name", "b"});
  ok({"import", "elm", "--home", home("b"), xml});
  json got = json::parse(ok({"get", "--home", home("b"), "--json", "j/2"}));
  ASSERT_EQ(got["records"].size(), 1u);
  json back = got["records"][0]["record"]["teaches"];
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0]["suggested"], true);
  EXPECT_EQ(back[0]["score"], j2[0]["score"]);
}

TEST_F(ImportAlignTest, WithoutSkillsInTheStoreAlignRefuses) {
  ok({"init", "--home", home("a"), "--name", "a"});
  ProcessResult r = eichub(importCsv("a", {}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("import ESCO first"), std::string::npos) << r.err;
}

// The shared edX course list against the real ESCO: most courses name no skill, and many get
// suggestions.
TEST_F(ImportAlignTest, SharedCoursesAlignAgainstEsco) {
  std::string shared = testing::sharedDataDir();
  if (shared.empty()) GTEST_SKIP() << "../shared/data is absent: this test needs ESCO and edX";
  ok({"init", "--home", home("a"), "--name", "a"});
  ok({"import", "esco", "--home", home("a"), shared + "/esco"});
  json summary =
      json::parse(ok({"import", "csv", "--home", home("a"), shared + "/courses/edx_courses.csv.gz",
                      "--mapping", std::string(EICHUB_SOURCE_DIR) + "/ops/mappings/edx.toml",
                      "--skip-bad", "--align", "--json"}));
  const json& aligned = summary["aligned"];
  EXPECT_GT(aligned["resources"].get<uint64_t>(), 500u);
  EXPECT_EQ(aligned["withoutSkills"], aligned["resources"]);
  EXPECT_GT(aligned["withSuggestions"].get<uint64_t>(), aligned["resources"].get<uint64_t>() / 4)
      << summary.dump();
  EXPECT_GE(aligned["suggestions"].get<uint64_t>(), aligned["withSuggestions"].get<uint64_t>());
}

}  // namespace
}  // namespace eichub
