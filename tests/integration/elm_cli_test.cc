// eichub export elm / import elm as a user runs them: the export validates against the official
// LOQ 3.1.0 schema (xmllint, ../shared/standards), filters, the round trip through a fresh node,
// and an import that fails leaves nothing behind.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/cli_fixture.h"
#include "tests/testing/files.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::ProcessResult;
using testing::readFile;

// A resource with every field set, its provider and the skill it teaches.
constexpr char kEveryField[] =
    R"({"kind":"Skill","id":"http://data.europa.eu/esco/skill/1c6736c2-77de-419c-9b84-8932e15abc21","skillType":"skill/competence","reuseLevel":"sector-specific","prefLabel":{"en":"carry out wound care","de":"Wundversorgung durchführen"}}
{"kind":"Provider","id":"acme","name":{"en":"Acme Learning","de":"Acme Lernen"},"providerKind":"vet-school","region":"DE501","url":"https://acme.example.org/"}
{"kind":"LearningResource","id":"acme/101","title":{"en":"Wound care basics","de":"Grundlagen der Wundversorgung"},"description":{"en":"Two practical days & <more>.","de":"Zwei Tage."},"url":"https://acme.example.org/101","provider":"acme","languages":["de","en"],"mode":"blended","eqfLevel":4,"durationHours":12.5,"price":{"amount":120.5,"currency":"EUR"},"licence":"https://creativecommons.org/licenses/by/4.0/","teaches":[{"skill":"http://data.europa.eu/esco/skill/1c6736c2-77de-419c-9b84-8932e15abc21","relation":"essential"},{"skill":"https://skills.example.org/local/42","relation":"optional"}],"sectors":["healthcare"],"region":"DE501","validFrom":"2027-01-01","validUntil":"2027-12-31","keywords":{"en":["wound care"]}}
{"kind":"LearningResource","id":"acme/102","title":{"fr":"Sans fournisseur"}}
)";

std::string loqDir() {
  std::string dir = std::string(EICHUB_SOURCE_DIR) + "/../shared/standards/elm-loq-3.1.0";
  std::error_code ec;
  return std::filesystem::is_directory(dir, ec) ? dir : "";
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The learningOpportunityReferences section: what a round trip must keep.
std::string opportunities(const std::string& xml) {
  size_t begin = xml.find("<learningOpportunityReferences>");
  size_t end = xml.find("</learningOpportunityReferences>");
  if (begin == std::string::npos || end == std::string::npos) return {};
  return xml.substr(begin, end - begin);
}

// Where two documents first differ, by line: gtest's diff of multi-megabyte strings would not
// fit in memory.
std::string firstDifference(const std::string& a, const std::string& b) {
  std::istringstream in_a(a), in_b(b);
  std::string line_a, line_b;
  for (int line = 1;; ++line) {
    bool more_a = static_cast<bool>(std::getline(in_a, line_a));
    bool more_b = static_cast<bool>(std::getline(in_b, line_b));
    if (!more_a && !more_b) return "no difference";
    if (more_a != more_b || line_a != line_b) {
      return "line " + std::to_string(line) + ":\n- " + line_a + "\n+ " + line_b;
    }
  }
}

class ElmCliTest : public testing::CliFixture {
 protected:
  void init(const std::string& name) {
    ok({"init", "--home", home(name), "--name", name + " cluster", "--region", "UKE42"});
  }
  std::string write(const std::string& name, const std::string& content) {
    std::string path = dir_.file(name);
    std::ofstream(path) << content;
    return path;
  }
  std::string exportElm(const std::string& name, std::vector<std::string> extra = {}) {
    std::string out = dir_.file(name + "-" + std::to_string(++exports_) + ".xml");
    std::vector<std::string> args = {"export", "elm", "--home", home(name), "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    ok(args);
    return out;
  }
  // xmllint against loq.xsd; a failure prints xmllint's complaint.
  void expectValid(const std::string& file) {
    ProcessResult r = testing::runProcess(
        {"/usr/bin/xmllint", "--noout", "--schema", loqDir() + "/loq.xsd", file});
    EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 4000);
  }
  // Empty when the schema and xmllint are there; else why a test that validates must skip
  // (GTEST_SKIP in a helper would only leave the helper).
  static std::string schemaMissing() {
    if (loqDir().empty()) return "../shared/standards/elm-loq-3.1.0 is absent";
    std::error_code ec;
    if (!std::filesystem::exists("/usr/bin/xmllint", ec)) {
      return "xmllint is absent (Debian package libxml2-utils, ops/install-deps)";
    }
    return "";
  }
  int exports_ = 0;
};

TEST_F(ElmCliTest, ExportOfTheSampleDataValidatesAgainstTheSchema) {
  if (std::string why = schemaMissing(); !why.empty()) GTEST_SKIP() << why;
  init("a");
  size_t resources = 0;
  for (std::string file : {"leeds", "bremen", "oslo"}) {
    std::string path = testing::testDataDir() + "/sample/" + file + ".jsonl";
    ok({"publish", "--home", home("a"), path});
    resources += count(readFile(path), "\"kind\":\"LearningResource\"");
  }
  std::string out = exportElm("a");
  std::string xml = readFile(out);
  EXPECT_EQ(count(xml, "<learningOpportunity id="), resources);
  // The sample resources teach ESCO skills the node holds: outcomes name them, with labels.
  EXPECT_GT(count(xml, "<relatedESCOSkill uri=\"http://data.europa.eu/esco/skill/"), 0u);
  EXPECT_NE(xml.find("<skos:prefLabel language=\"en\">carry out wound care</skos:prefLabel>"),
            std::string::npos);
  expectValid(out);
}

// The shared edX and Udemy course lists, imported through their mappings: the export validates,
// and a round trip through a fresh node keeps every opportunity.
TEST_F(ElmCliTest, ExportOfTheSharedCourseDataValidatesAndRoundTrips) {
  if (std::string why = schemaMissing(); !why.empty()) GTEST_SKIP() << why;
  std::string shared = testing::sharedDataDir();
  if (shared.empty()) GTEST_SKIP() << "../shared/data is absent";
  init("a");
  init("b");
  for (std::string vendor : {"edx", "udemy"}) {
    ok({"import", "csv", "--home", home("a"), shared + "/courses/" + vendor + "_courses.csv.gz",
        "--mapping", std::string(EICHUB_SOURCE_DIR) + "/ops/mappings/" + vendor + ".toml",
        "--skip-bad"});
  }
  std::string first = exportElm("a");
  std::string a = opportunities(readFile(first));
  EXPECT_GT(count(a, "<learningOpportunity id="), 4000u);
  expectValid(first);
  ok({"import", "elm", "--home", home("b"), first});
  std::string b = opportunities(readFile(exportElm("b")));
  EXPECT_TRUE(a == b) << firstDifference(a, b);
}

TEST_F(ElmCliTest, ExportOfARecordWithEveryFieldSetValidates) {
  if (std::string why = schemaMissing(); !why.empty()) GTEST_SKIP() << why;
  init("a");
  ok({"publish", "--home", home("a"), write("every.jsonl", kEveryField)});
  json summary = json::parse(
      ok({"export", "elm", "--home", home("a"), "--out", dir_.file("every.xml"), "--json"}));
  EXPECT_EQ(summary["opportunities"], 2);
  EXPECT_EQ(summary["outcomes"], 3);  // two skills, and the resource that names none
  std::string xml = readFile(dir_.file("every.xml"));
  for (std::string part : {
           "<title language=\"de\">Grundlagen der Wundversorgung</title>",
           "<description language=\"en\">Two practical days &amp; &lt;more&gt;.</description>",
           "<contentUrl>https://acme.example.org/101</contentUrl>",
           "<startDate>2027-01-01T00:00:00</startDate>",
           "<mode uri=\"http://data.europa.eu/snb/learning-assessment/e92d221e4d\"/>",
           "<unit uri=\"http://publications.europa.eu/resource/authority/currency/EUR\"/>",
           "<value>120.50</value>", "<volumeOfLearning>PT12H30M</volumeOfLearning>",
           "<educationLevel uri=\"http://data.europa.eu/snb/eqf/4\"/>",
           "<language uri=\"http://publications.europa.eu/resource/authority/language/DEU\"/>",
           "<defaultLanguage "
           "uri=\"http://publications.europa.eu/resource/authority/language/DEU\"/>",
           "<learningSetting uri=\"http://data.europa.eu/snb/learning-setting/6fd4685715\"/>",
           "<relatedSkill uri=\"https://skills.example.org/local/42\"/>",
           "<reusabilityLevel "
           "uri=\"http://data.europa.eu/snb/skill-reuse-level/sector-specific\"/>",
           "<legalName language=\"en\">Acme Learning</legalName>",
           "<spatialCode uri=\"http://data.europa.eu/nuts/code/DE501\"/>",
           "<countryCode uri=\"http://publications.europa.eu/resource/authority/country/DEU\"/>",
           "urn:eichub:author:",  // the provider of the resource that names none
       }) {
    EXPECT_NE(xml.find(part), std::string::npos) << part;
  }
  expectValid(dir_.file("every.xml"));
}

TEST_F(ElmCliTest, FiltersByAuthorRegionAndLanguage) {
  if (std::string why = schemaMissing(); !why.empty()) GTEST_SKIP() << why;
  init("a");
  ok({"publish", "--home", home("a"), write("every.jsonl", kEveryField)});
  ok({"publish", "--home", home("a"), testing::testDataDir() + "/sample/leeds.jsonl"});
  std::string leeds = readFile(exportElm("a", {"--region", "UKE"}));
  EXPECT_EQ(leeds.find("acme"), std::string::npos);
  EXPECT_GT(count(leeds, "<learningOpportunity id="), 0u);
  std::string english = readFile(exportElm("a", {"--region", "DE5", "--lang", "en"}));
  EXPECT_EQ(count(english, "<learningOpportunity id="), 1u);
  EXPECT_EQ(english.find("language=\"de\""), std::string::npos);
  json id = json::parse(ok({"id", "--home", home("a"), "--json"}));
  std::string mine = exportElm("a", {"--author", id["node"].get<std::string>()});
  EXPECT_GT(count(readFile(mine), "<learningOpportunity id="), 2u);
  std::string nobody = exportElm("a", {"--author", std::string(64, '0')});
  EXPECT_EQ(count(readFile(nobody), "<learningOpportunity id="), 0u);
  expectValid(nobody);
  ProcessResult bad = eichub(
      {"export", "elm", "--home", home("a"), "--out", dir_.file("x.xml"), "--author", "nothex"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--author"), std::string::npos) << bad.err;
}

TEST_F(ElmCliTest, ExportImportOnAFreshNodeExportGivesTheSameOpportunities) {
  init("a");
  init("b");
  ok({"publish", "--home", home("a"), write("every.jsonl", kEveryField)});
  for (std::string file : {"leeds", "bremen", "oslo"}) {
    ok({"publish", "--home", home("a"), testing::testDataDir() + "/sample/" + file + ".jsonl"});
  }
  std::string first = exportElm("a");
  json imported = json::parse(ok({"import", "elm", "--home", home("b"), first, "--json"}));
  EXPECT_EQ(imported["skipped"], 0);
  std::string second = exportElm("b");
  std::string a = opportunities(readFile(first));
  ASSERT_FALSE(a.empty());
  std::string b = opportunities(readFile(second));
  EXPECT_TRUE(a == b) << firstDifference(a, b);
  EXPECT_EQ(imported["opportunities"].get<size_t>(), count(a, "<learningOpportunity id="));
  // Importing again changes nothing: the ids are derived from the URIs.
  json again = json::parse(ok({"import", "elm", "--home", home("b"), first, "--json"}));
  EXPECT_EQ(again["added"], 0);
  EXPECT_EQ(again["changed"], 0);
}

TEST_F(ElmCliTest, AFailedImportLeavesNothingBehind) {
  init("b");
  std::string before = ok({"digest", "--home", home("b")});
  std::string doc =
      R"(<?xml version="1.0"?>
<Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/">
<learningOpportunityReferences>
<learningOpportunity id="http://lop/1"><title language="en">Good</title></learningOpportunity>
<learningOpportunity id="http://lop/2"><description language="en">No title</description></learningOpportunity>
</learningOpportunityReferences>
</Courses>
)";
  std::string file = write("bad.xml", doc);
  ProcessResult strict = eichub({"import", "elm", "--home", home("b"), file});
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("line 5"), std::string::npos) << strict.err;
  EXPECT_NE(strict.err.find("nothing imported"), std::string::npos) << strict.err;
  EXPECT_EQ(ok({"digest", "--home", home("b")}), before);

  json skipped =
      json::parse(ok({"import", "elm", "--home", home("b"), file, "--skip-bad", "--json"}));
  EXPECT_EQ(skipped["added"], 1);
  EXPECT_EQ(skipped["skipped"], 1);
  ProcessResult missing = eichub({"import", "elm", "--home", home("b"), dir_.file("none.xml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("none.xml"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace eichub
