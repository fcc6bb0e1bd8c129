// The LOQ import on hand-written documents: the fields it keeps, every kind of bad input (with
// the line and element named, nothing returned half-read), the bounds at limit and limit+1, and
// the two upstream samples of ../shared/standards.
#include "node/elm/elm_import.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "node/catalog/change.h"
#include "tests/testing/temp_dir.h"

namespace eichub::elm {
namespace {

constexpr char kHead[] =
    R"(<?xml version="1.0" encoding="UTF-8"?>
<Courses xmlns="http://data.europa.eu/snb/model/ap/loq-constraints/" xsdVersion="3.1.0">
)";

std::string opportunity(const std::string& id, const std::string& inner) {
  return "<learningOpportunity id=\"" + id + "\">\n" + inner + "</learningOpportunity>\n";
}

constexpr char kGoodInner[] =
    R"(<title language="en">Wound care</title>
<title language="de">Wundversorgung</title>
<description language="en"> Two days. </description>
<type uri="http://data.europa.eu/snb/learning-opportunity/05053c1cbe"/>
<homepage><contentUrl>https://example.org/wound</contentUrl></homepage>
<temporal><startDate>2027-01-01T00:00:00</startDate><endDate>2027-12-31T23:59:59</endDate></temporal>
<mode uri="http://data.europa.eu/snb/learning-assessment/920fbb3cbe"/>
<priceDetail><amount><unit uri="http://publications.europa.eu/resource/authority/currency/GBP"/><value>35.50</value></amount></priceDetail>
<providedBy idref="http://org/1"/>
<location idref="http://loc/1"/>
<learningAchievementSpecification idref="http://las/1"/>
<defaultLanguage uri="http://publications.europa.eu/resource/authority/language/ENG"/>
)";

constexpr char kRest[] =
    R"(<learningAchievementSpecificationReferences>
<learningAchievementSpecification id="http://las/1">
<title language="en">Wound care</title>
<ISCEDFCode uri="http://data.europa.eu/snb/isced-f/0913"/>
<volumeOfLearning>PT12H</volumeOfLearning>
<educationLevel uri="http://data.europa.eu/snb/eqf/4"/>
<language uri="http://publications.europa.eu/resource/authority/language/ENG"/>
<language uri="http://publications.europa.eu/resource/authority/language/DEU"/>
<learningOutcome idref="http://lo/1"/>
</learningAchievementSpecification>
</learningAchievementSpecificationReferences>
<learningOutcomeReferences>
<learningOutcome id="http://lo/1"><title language="en">wound care</title>
<relatedESCOSkill uri="http://data.europa.eu/esco/skill/1c6736c2-77de-419c-9b84-8932e15abc21"/>
</learningOutcome>
</learningOutcomeReferences>
<agentReferences>
<organisation id="http://org/1"><legalName language="en">Aire Valley Academy</legalName>
<homepage><contentUrl>https://aire.example.org/</contentUrl></homepage>
<location idref="http://loc/1"/></organisation>
</agentReferences>
<locationReferences>
<location id="http://loc/1"><spatialCode uri="http://data.europa.eu/nuts/code/UKE42"/>
<address><countryCode uri="http://publications.europa.eu/resource/authority/country/GBR"/></address>
</location>
</locationReferences>
</Courses>
)";

std::string document(const std::string& opportunities) {
  return std::string(kHead) + "<learningOpportunityReferences>\n" + opportunities +
         "</learningOpportunityReferences>\n" + kRest;
}

class ElmImportTest : public ::testing::Test {
 protected:
  std::string write(const std::string& content) {
    std::string path = dir_.file("doc" + std::to_string(++files_) + ".xml");
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  Result<ElmImport> import(const std::string& content, ImportOptions options = {}) {
    return importElm(write(content), options);
  }
  // The import fails, and its message holds every one of parts.
  void expectRefused(const std::string& content, std::vector<std::string> parts,
                     ImportOptions options = {}) {
    auto result = import(content, options);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
    for (const std::string& part : parts) {
      EXPECT_NE(result.status().message().find(part), std::string::npos)
          << "missing \"" << part << "\" in: " << result.status().message();
    }
  }

  testing::TempDir dir_;
  int files_ = 0;
};

TEST_F(ElmImportTest, ReadsEveryFieldTheCatalogueHolds) {
  auto result = import(document(opportunity("http://lop/1", kGoodInner)));
  ASSERT_TRUE(result.ok()) << result.status().toString();
  EXPECT_EQ(result->opportunities, 1u);
  EXPECT_EQ(result->organisations, 1u);
  ASSERT_EQ(result->changes.size(), 2u);
  EXPECT_EQ(result->changes[0].kind, catalog::Kind::PROVIDER);
  EXPECT_EQ(result->changes[0].id, "http://org/1");
  const catalog::Change& lr = result->changes[1];
  EXPECT_EQ(lr.kind, catalog::Kind::LEARNING_RESOURCE);
  EXPECT_EQ(lr.id, "http://lop/1");
  auto reader = catalog::RecordReader::open(lr.body);
  ASSERT_TRUE(reader.ok());
  auto r = (*reader)->root().getLearningResource();
  ASSERT_EQ(r.getTitle().size(), 2u);
  EXPECT_EQ(std::string(r.getTitle()[0].getLang().cStr()), "de");
  EXPECT_EQ(std::string(r.getDescription()[0].getText().cStr()), " Two days. ");  // as written
  EXPECT_EQ(std::string(r.getUrl().cStr()), "https://example.org/wound");
  EXPECT_EQ(std::string(r.getProvider().cStr()), "http://org/1");
  EXPECT_EQ(r.getMode(), schema::Mode::ONLINE);
  EXPECT_EQ(r.getEqfLevel(), 4);
  EXPECT_EQ(r.getDurationHours(), 12.0);
  EXPECT_EQ(r.getPrice().getAmountCents(), 3550u);
  EXPECT_EQ(std::string(r.getPrice().getCurrency().cStr()), "GBP");
  ASSERT_EQ(r.getLanguages().size(), 2u);
  EXPECT_EQ(std::string(r.getLanguages()[1].cStr()), "de");
  ASSERT_EQ(r.getTeaches().size(), 1u);
  EXPECT_EQ(std::string(r.getTeaches()[0].getSkill().cStr()),
            "http://data.europa.eu/esco/skill/1c6736c2-77de-419c-9b84-8932e15abc21");
  EXPECT_EQ(std::string(r.getRegion().cStr()), "UKE42");
  EXPECT_EQ(std::string(r.getValidFrom().cStr()), "2027-01-01");
  EXPECT_EQ(std::string(r.getValidUntil().cStr()), "2027-12-31");
}

TEST_F(ElmImportTest, RefusesWhatIsNotXml) {
  expectRefused("this is not XML at all", {"line 1", "not well-formed XML"});
  expectRefused("", {"not"});
  expectRefused(std::string(kHead) + "<learningOpportunityReferences>", {"not well-formed XML"});
}

TEST_F(ElmImportTest, RefusesTheWrongNamespace) {
  expectRefused(R"(<?xml version="1.0"?><Courses xmlns="http://example.org/other"/>)",
                {"line 1", "not an LOQ document", "http://example.org/other"});
  expectRefused(R"(<?xml version="1.0"?><rss version="2.0"/>)", {"not an LOQ document", "rss"});
}

TEST_F(ElmImportTest, RefusesAnOpportunityWithoutTitleNamingLineAndPath) {
  std::string inner = kGoodInner;
  inner = inner.substr(inner.find("<description"));
  expectRefused(
      document(opportunity("http://lop/1", kGoodInner) + opportunity("http://lop/2", inner)),
      {"/Courses/learningOpportunityReferences", "line 18", "http://lop/2", "title", "missing"});
}

TEST_F(ElmImportTest, RefusesUnknownVocabularyUris) {
  std::string bad_mode = kGoodInner;
  bad_mode.replace(bad_mode.find("920fbb3cbe"), 10, "0000000000");
  expectRefused(document(opportunity("http://lop/1", bad_mode)),
                {"line 11", "mode", "unknown vocabulary URI", "0000000000", "europass-modes"});
  std::string bad_language = kGoodInner;
  bad_language.replace(bad_language.find("language/ENG"), 12, "language/QQQ");
  expectRefused(document(opportunity("http://lop/1", bad_language)),
                {"defaultLanguage", "unknown vocabulary URI", "QQQ"});
  std::string bad_region = document(opportunity("http://lop/1", kGoodInner));
  bad_region.replace(bad_region.find("nuts/code/UKE42"), 15, "nuts/code/ZZ999");
  expectRefused(bad_region, {"locationReferences", "spatialCode", "ZZ999"});
}

TEST_F(ElmImportTest, RefusesExternalEntitiesWithoutReadingThem) {
  std::string secret = write("the secret");
  expectRefused("<?xml version=\"1.0\"?>\n<!DOCTYPE Courses [<!ENTITY x SYSTEM \"file://" + secret +
                    "\">]>\n<Courses "
                    "xmlns=\"http://data.europa.eu/snb/model/ap/loq-constraints/\">"
                    "<learningOpportunityReferences><learningOpportunity id=\"a\">"
                    "<title language=\"en\">&x;</title></learningOpportunity>"
                    "</learningOpportunityReferences></Courses>",
                {"DOCTYPE is not accepted"});
}

TEST_F(ElmImportTest, RefusesAnEntityExpansionBomb) {
  std::string dtd = "<!DOCTYPE Courses [<!ENTITY a0 \"lol\">";
  for (int i = 1; i <= 10; ++i) {
    dtd += "<!ENTITY a" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) dtd += "&a" + std::to_string(i - 1) + ";";
    dtd += "\">";
  }
  dtd += "]>";
  expectRefused("<?xml version=\"1.0\"?>" + dtd +
                    "<Courses xmlns=\"http://data.europa.eu/snb/model/ap/loq-constraints/\" "
                    "note=\"&a10;\"><x>&a10;</x></Courses>",
                {"line 1"});
}

TEST_F(ElmImportTest, RefusesInvalidUtf8NamingTheLine) {
  std::string doc = document(opportunity("http://lop/1", kGoodInner));
  doc.replace(doc.find("Wundversorgung"), 3, "W\xC3\x28");
  expectRefused(doc, {"line 6", "not well-formed XML", "UTF-8"});
}

TEST_F(ElmImportTest, FileSizeBoundAtLimitAndLimitPlusOne) {
  std::string doc = document(opportunity("http://lop/1", kGoodInner));
  ImportOptions options;
  options.max_file_bytes = doc.size();
  EXPECT_TRUE(import(doc, options).ok());
  options.max_file_bytes = doc.size() - 1;
  expectRefused(doc, {"larger than"}, options);
}

TEST_F(ElmImportTest, DepthBoundAtLimitAndLimitPlusOne) {
  // The title sits at depth 3 (Courses 0, section 1, opportunity 2); nest extra elements in it.
  auto nested = [](int depth) {
    std::string open, close;
    for (int d = 4; d <= depth; ++d) {
      open += "<n>";
      close = "</n>" + close;
    }
    return "<title language=\"en\">" + open + "x" + close + "</title>";
  };
  ImportOptions options;
  options.max_depth = 8;
  EXPECT_TRUE(import(document(opportunity("http://lop/1", nested(8) + kGoodInner)), options).ok());
  expectRefused(document(opportunity("http://lop/1", nested(9) + kGoodInner)),
                {"nested deeper than 8"}, options);
}

TEST_F(ElmImportTest, SkipBadImportsTheRestAndCountsTheBad) {
  std::string no_title = kGoodInner;
  no_title = no_title.substr(no_title.find("<description"));
  std::string bad_mode = kGoodInner;
  bad_mode.replace(bad_mode.find("920fbb3cbe"), 10, "0000000000");
  ImportOptions options;
  options.skip_bad = true;
  auto result = import(
      document(opportunity("http://lop/1", kGoodInner) + opportunity("http://lop/2", no_title) +
               opportunity("http://lop/3", bad_mode) + opportunity("http://lop/4", kGoodInner)),
      options);
  ASSERT_TRUE(result.ok()) << result.status().toString();
  EXPECT_EQ(result->opportunities, 2u);
  EXPECT_EQ(result->skipped, 2u);
  ASSERT_EQ(result->errors.size(), 2u);
  EXPECT_NE(result->errors[0].find("http://lop/2"), std::string::npos) << result->errors[0];
  EXPECT_NE(result->errors[1].find("http://lop/3"), std::string::npos) << result->errors[1];
}

TEST_F(ElmImportTest, RefusesASecondOpportunityWithTheSameId) {
  std::string doc =
      document(opportunity("http://lop/1", kGoodInner) + opportunity("http://lop/1", kGoodInner));
  expectRefused(doc, {"line 18", "http://lop/1", "used at line 4 too"});
  ImportOptions options;
  options.skip_bad = true;
  auto result = import(doc, options);
  ASSERT_TRUE(result.ok()) << result.status().toString();
  EXPECT_EQ(result->opportunities, 1u);
  EXPECT_EQ(result->skipped, 1u);
}

TEST_F(ElmImportTest, AFieldTheCatalogueRefusesNamesTheOpportunity) {
  std::string bad_url = kGoodInner;
  bad_url.replace(bad_url.find("https://example.org/wound"), 25, "ftp://example.org/wound");
  expectRefused(document(opportunity("http://lop/1", bad_url)),
                {"line 4", "learningOpportunity http://lop/1", "url"});
}

// The two upstream samples: the schema's structure filled with random values. Their two
// organisations and two learning opportunities import. Their prices are read as LOQ means them
// (a decimal in the unit's currency): each opportunity's first amount is left out and noted
// (XXX is no currency, the other is negative), and the next one held, rounded to cents;
// LOP-01's period ends before it starts, so it is left out and noted too.
TEST_F(ElmImportTest, UpstreamSamplesImportWithTheValuesLeftOutNoted) {
  std::string dir = std::string(EICHUB_SOURCE_DIR) + "/../shared/standards/elm-loq-3.1.0";
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    GTEST_SKIP() << "../shared/standards/elm-loq-3.1.0 is absent";
  }
  for (std::string name : {"loq.xml", "loq_withLearningAchievementSpecification.xml"}) {
    auto result = importElm(dir + "/" + name, {});
    ASSERT_TRUE(result.ok()) << name << ": " << result.status().toString();
    EXPECT_EQ(result->organisations, 2u) << name;
    EXPECT_EQ(result->opportunities, 2u) << name;
    EXPECT_EQ(result->skipped, 0u) << name;
    std::string notes;
    for (const std::string& note : result->notes) notes += note + "\n";
    for (std::string want :
         {"line 42: learningOpportunity http://LOP-01: priceDetail amount 1378413989.154 XXX "
          "left out: XXX is no currency",
          "line 42: learningOpportunity http://LOP-01: temporal left out: endDate",
          "line 410: learningOpportunity http://LOP-02: priceDetail amount -782806104.573 VND "
          "left out: negative"}) {
      EXPECT_NE(notes.find(want), std::string::npos) << want << "\nnotes:\n" << notes;
    }
    EXPECT_EQ(notes.find("price limit"), std::string::npos) << notes;
    const std::map<std::string, std::pair<uint64_t, std::string>> prices = {
        {"http://LOP-01", {61753341014u, "CUP"}}, {"http://LOP-02", {17674597387u, "BRL"}}};
    size_t priced = 0;
    for (const catalog::Change& change : result->changes) {
      if (change.kind != catalog::Kind::LEARNING_RESOURCE) continue;
      Status read = catalog::readRecord(change.body, [&](schema::Record::Reader record) {
        auto resource = record.getLearningResource();
        auto want = prices.find(resource.getId().cStr());
        EXPECT_NE(want, prices.end()) << resource.getId().cStr();
        if (want == prices.end() || !resource.hasPrice()) return Status::OK();
        EXPECT_EQ(resource.getPrice().getAmountCents(), want->second.first);
        EXPECT_EQ(std::string(resource.getPrice().getCurrency().cStr()), want->second.second);
        ++priced;
        return Status::OK();
      });
      EXPECT_TRUE(read.ok()) << read.toString();
    }
    EXPECT_EQ(priced, 2u) << name;
  }
}

// A price the catalogue can hold is read from the first amount that states one, rounded to
// cents: LOQ values are decimals of any precision.
TEST_F(ElmImportTest, ThePriceIsTheFirstAmountTheCatalogueCanHold) {
  std::string inner = kGoodInner;
  const std::string gbp =
      R"(<priceDetail><amount><unit uri="http://publications.europa.eu/resource/authority/currency/GBP"/><value>35.50</value></amount></priceDetail>)";
  const std::string two =
      R"(<priceDetail><amount><unit uri="http://publications.europa.eu/resource/authority/currency/XXX"/><value>12</value></amount></priceDetail>)"
      R"(<priceDetail><amount><unit uri="http://publications.europa.eu/resource/authority/currency/EUR"/><value>120.504</value></amount></priceDetail>)";
  ASSERT_NE(inner.find(gbp), std::string::npos);
  inner.replace(inner.find(gbp), gbp.size(), two);
  auto result = import(document(opportunity("http://lop/1", inner)));
  ASSERT_TRUE(result.ok()) << result.status().toString();
  ASSERT_EQ(result->opportunities, 1u);
  ASSERT_EQ(result->notes.size(), 1u);
  EXPECT_NE(result->notes[0].find("XXX is no currency"), std::string::npos) << result->notes[0];
  Status read = catalog::readRecord(result->changes.back().body, [](schema::Record::Reader record) {
    auto price = record.getLearningResource().getPrice();
    EXPECT_EQ(price.getAmountCents(), 12050u);
    EXPECT_EQ(std::string(price.getCurrency().cStr()), "EUR");
    return Status::OK();
  });
  EXPECT_TRUE(read.ok()) << read.toString();
}

}  // namespace
}  // namespace eichub::elm
