// Tests for the ESCO importer: every field of a hand-written two-language fixture, determinism,
// progress, bad input naming file and line, and the real ESCO v1.1.1 export when present.
#include "node/import/esco_importer.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "tests/testing/temp_dir.h"

namespace eichub::import {
namespace {

using schema::Relation;
using Texts = std::vector<std::pair<std::string, std::string>>;
using Links = std::vector<std::pair<std::string, Relation>>;
using Uris = std::vector<std::string>;

const std::string kEsco = "http://data.europa.eu/esco/";
std::string skill(const std::string& n) { return kEsco + "skill/mini-" + n; }
std::string group(const std::string& n) { return kEsco + "skill/mini-group-" + n; }
std::string occupation(const std::string& n) { return kEsco + "occupation/mini-" + n; }
std::string isco(const std::string& n) { return kEsco + "isco/C" + n; }

std::string miniDir() { return testing::testDataDir() + "/esco_mini"; }

Texts texts(capnp::List<schema::LangText>::Reader list) {
  Texts out;
  for (auto t : list) out.emplace_back(t.getLang().cStr(), t.getText().cStr());
  return out;
}
Uris uris(capnp::List<capnp::Text>::Reader list) {
  Uris out;
  for (auto t : list) out.emplace_back(t.cStr());
  return out;
}
Links links(capnp::List<schema::SkillRef>::Reader list) {
  Links out;
  for (auto r : list) out.emplace_back(r.getSkill().cStr(), r.getRelation());
  return out;
}

// An import with its records decoded and looked up by (kind, uri).
class Imported {
 public:
  explicit Imported(EscoImport import) : import_(std::move(import)) {
    for (const catalog::Change& change : import_.changes) {
      auto reader = catalog::RecordReader::open(change.body);
      EICHUB_CHECK(reader.ok()) << reader.status().toString();
      by_key_[{change.kind, change.id}] = readers_.size();
      readers_.push_back(std::move(reader).value());
    }
  }
  const EscoImport& operator*() const { return import_; }
  const EscoImport* operator->() const { return &import_; }
  bool has(catalog::Kind kind, const std::string& uri) const { return by_key_.count({kind, uri}); }
  schema::Record::Reader record(catalog::Kind kind, const std::string& uri) const {
    auto it = by_key_.find({kind, uri});
    EICHUB_CHECK(it != by_key_.end()) << uri;
    return readers_[it->second]->root();
  }

 private:
  EscoImport import_;
  std::vector<std::unique_ptr<catalog::RecordReader>> readers_;
  std::map<std::pair<catalog::Kind, std::string>, size_t> by_key_;
};

std::unique_ptr<Imported> importOk(const std::string& dir, const EscoImportOptions& options = {}) {
  auto result = importEsco(dir, options);
  EXPECT_TRUE(result.ok()) << result.status().toString();
  if (!result.ok()) return nullptr;
  return std::make_unique<Imported>(std::move(result).value());
}

TEST(EscoImporterMiniTest, SummaryCountsOrderAndSkippedRows) {
  auto in = importOk(miniDir());
  ASSERT_TRUE(in);
  const EscoImportSummary& s = (*in)->summary;
  EXPECT_EQ(s.languages, (std::vector<std::string>{"de", "en"}));
  EXPECT_EQ(s.skills, 4u);
  EXPECT_EQ(s.skill_groups, 2u);
  EXPECT_EQ(s.occupations, 2u);
  EXPECT_EQ(s.occupation_groups, 3u);
  ASSERT_EQ((*in)->changes.size(), 11u);
  std::vector<std::pair<catalog::Kind, std::string>> order;
  for (const auto& c : (*in)->changes) {
    EXPECT_EQ(c.op, feed::Op::UPSERT);
    order.emplace_back(c.kind, c.id);
  }
  using K = catalog::Kind;
  EXPECT_EQ(order, (std::vector<std::pair<catalog::Kind, std::string>>{
                       {K::SKILL, skill("s1")},
                       {K::SKILL, skill("s2")},
                       {K::SKILL, skill("s3")},
                       {K::SKILL, skill("s4")},
                       {K::SKILL_GROUP, group("g1")},
                       {K::SKILL_GROUP, group("g2")},
                       {K::OCCUPATION, occupation("o1")},
                       {K::OCCUPATION, occupation("o2")},
                       {K::OCCUPATION_GROUP, isco("2")},
                       {K::OCCUPATION_GROUP, isco("26")},
                       {K::OCCUPATION_GROUP, isco("2654")}}));

  std::map<std::string, std::pair<uint64_t, uint64_t>> files;  // rows, unresolved links
  for (const auto& f : s.files) files[f.file] = {f.rows, f.unresolved_links};
  ASSERT_EQ(files.size(), 12u);
  EXPECT_EQ(files["skills_en.csv"], std::make_pair(uint64_t{3}, uint64_t{0}));
  EXPECT_EQ(files["skills_de.csv"], std::make_pair(uint64_t{3}, uint64_t{0}));
  EXPECT_EQ(files["ISCOGroups_de.csv"], std::make_pair(uint64_t{1}, uint64_t{0}));
  EXPECT_EQ(files["broaderRelationsSkillPillar.csv"], std::make_pair(uint64_t{5}, uint64_t{1}));
  EXPECT_EQ(files["broaderRelationsOccPillar.csv"], std::make_pair(uint64_t{5}, uint64_t{0}));
  EXPECT_EQ(files["skillSkillRelations.csv"], std::make_pair(uint64_t{4}, uint64_t{1}));
  EXPECT_EQ(files["occupationSkillRelations.csv"], std::make_pair(uint64_t{5}, uint64_t{0}));

  std::map<std::string, std::tuple<std::string, uint64_t, uint64_t>> skipped;
  for (const auto& k : s.skipped) skipped[k.file] = {k.reason, k.rows, k.first_line};
  ASSERT_EQ(skipped.size(), 4u);
  EXPECT_EQ(skipped["broaderRelationsSkillPillar.csv"],
            std::make_tuple("concept in neither skills nor skillGroups", 1, 6));
  EXPECT_EQ(skipped["broaderRelationsOccPillar.csv"],
            std::make_tuple("concept in neither occupations nor ISCOGroups", 1, 6));
  EXPECT_EQ(skipped["skillSkillRelations.csv"],
            std::make_tuple("original skill not in skills", 1, 5));
  EXPECT_EQ(skipped["occupationSkillRelations.csv"],
            std::make_tuple("occupation not in occupations", 2, 5));
}

TEST(EscoImporterMiniTest, SkillFieldsLandWhereTheyShould) {
  auto in = importOk(miniDir());
  ASSERT_TRUE(in);
  auto s1 = in->record(catalog::Kind::SKILL, skill("s1")).getSkill();
  EXPECT_STREQ(s1.getUri().cStr(), skill("s1").c_str());
  EXPECT_STREQ(s1.getSkillType().cStr(), "skill/competence");
  EXPECT_STREQ(s1.getReuseLevel().cStr(), "sector-specific");
  EXPECT_STREQ(s1.getStatus().cStr(), "released");
  EXPECT_EQ(texts(s1.getPrefLabel()),
            (Texts{{"de", "Musikpersonal leiten"}, {"en", "manage musical staff"}}));
  EXPECT_EQ(texts(s1.getAltLabels()), (Texts{{"de", "Musikpersonal führen"},
                                             {"de", "Personal im Musikbereich koordinieren"},
                                             {"en", "coordinate duties of musical staff"},
                                             {"en", "manage staff of music"}}));
  EXPECT_EQ(texts(s1.getDescription()),
            (Texts{{"de", "Aufgaben des Musikpersonals zuweisen und verwalten."},
                   {"en",
                    "Assign and manage staff tasks in areas such as scoring, arranging and "
                    "copying music."}}));
  EXPECT_EQ(uris(s1.getBroader()), (Uris{group("g2"), skill("s2")}));
  EXPECT_EQ(links(s1.getRelated()),
            (Links{{skill("s2"), Relation::ESSENTIAL}, {skill("s3"), Relation::OPTIONAL}}));

  auto s2 = in->record(catalog::Kind::SKILL, skill("s2")).getSkill();
  EXPECT_STREQ(s2.getSkillType().cStr(), "knowledge");
  EXPECT_EQ(texts(s2.getPrefLabel()), (Texts{{"de", "Musiktheorie"}, {"en", "music theory"}}));
  EXPECT_EQ(texts(s2.getAltLabels()), Texts{});
  EXPECT_EQ(texts(s2.getDescription()),
            (Texts{{"en",
                    "The body of \"interrelated\" concepts that constitute the theoretical "
                    "background of music."}}));
  EXPECT_EQ(uris(s2.getBroader()), Uris{});
  EXPECT_EQ(links(s2.getRelated()), (Links{{skill("unknown"), Relation::OPTIONAL}}));

  auto s3 = in->record(catalog::Kind::SKILL, skill("s3")).getSkill();
  EXPECT_STREQ(s3.getSkillType().cStr(), "");
  EXPECT_STREQ(s3.getReuseLevel().cStr(), "transversal");
  EXPECT_EQ(texts(s3.getAltLabels()), (Texts{{"en", "analyse"}, {"en", "reason"}}));
  EXPECT_EQ(uris(s3.getBroader()), Uris{group("unknown")});

  auto s4 = in->record(catalog::Kind::SKILL, skill("s4")).getSkill();  // only in skills_de
  EXPECT_EQ(texts(s4.getPrefLabel()), (Texts{{"de", "Ski fahren"}}));
  EXPECT_STREQ(s4.getSkillType().cStr(), "skill/competence");
}

TEST(EscoImporterMiniTest, GroupAndOccupationFieldsLandWhereTheyShould) {
  auto in = importOk(miniDir());
  ASSERT_TRUE(in);
  auto g1 = in->record(catalog::Kind::SKILL_GROUP, group("g1")).getSkillGroup();
  EXPECT_STREQ(g1.getCode().cStr(), "S1");
  EXPECT_EQ(texts(g1.getPrefLabel()),
            (Texts{{"de", "Kommunikation, Zusammenarbeit und Kreativität"},
                   {"en", "communication, collaboration and creativity"}}));
  EXPECT_EQ(texts(g1.getDescription()), (Texts{{"en", "Communicating with others."}}));
  EXPECT_EQ(uris(g1.getBroader()), Uris{});
  auto g2 = in->record(catalog::Kind::SKILL_GROUP, group("g2")).getSkillGroup();
  EXPECT_STREQ(g2.getCode().cStr(), "S1.2");
  EXPECT_EQ(texts(g2.getAltLabels()), (Texts{{"en", "bargaining"}}));
  EXPECT_EQ(uris(g2.getBroader()), Uris{group("g1")});

  auto o1 = in->record(catalog::Kind::OCCUPATION, occupation("o1")).getOccupation();
  EXPECT_STREQ(o1.getCode().cStr(), "2654.1.7");
  EXPECT_STREQ(o1.getIscoGroup().cStr(), "2654");
  EXPECT_EQ(texts(o1.getPrefLabel()),
            (Texts{{"de", "Technischer Direktor"}, {"en", "technical director"}}));
  EXPECT_EQ(texts(o1.getAltLabels()), (Texts{{"de", "Technische Direktorin"},
                                             {"en", "head of technical"},
                                             {"en", "technical and operations director"}}));
  EXPECT_EQ(texts(o1.getDescription()),
            (Texts{{"de", "Technische Direktoren setzen künstlerische Visionen um."},
                   {"en", "Technical directors realise the artistic visions."}}));
  EXPECT_EQ(uris(o1.getBroader()), Uris{isco("2654")});
  EXPECT_EQ(links(o1.getSkills()),
            (Links{{skill("s1"), Relation::ESSENTIAL}, {skill("s2"), Relation::OPTIONAL}}));
  auto o2 = in->record(catalog::Kind::OCCUPATION, occupation("o2")).getOccupation();
  EXPECT_EQ(uris(o2.getBroader()), Uris{occupation("o1")});
  EXPECT_EQ(links(o2.getSkills()), (Links{{skill("s3"), Relation::OPTIONAL}}));
  EXPECT_EQ(texts(o2.getDescription()), Texts{});

  auto c2 = in->record(catalog::Kind::OCCUPATION_GROUP, isco("2")).getOccupationGroup();
  EXPECT_STREQ(c2.getCode().cStr(), "2");
  EXPECT_EQ(texts(c2.getPrefLabel()),
            (Texts{{"de", "Akademische Berufe"}, {"en", "Professionals"}}));  // de row is short
  EXPECT_EQ(uris(c2.getBroader()), Uris{});
  auto c2654 = in->record(catalog::Kind::OCCUPATION_GROUP, isco("2654")).getOccupationGroup();
  EXPECT_EQ(uris(c2654.getBroader()), Uris{isco("26")});
}

void copyDir(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

void gzipFile(const std::string& from, const std::string& to) {
  std::string bytes = readFile(from);
  gzFile file = gzopen(to.c_str(), "wb1");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

void expectSameChanges(const EscoImport& a, const EscoImport& b) {
  ASSERT_EQ(a.changes.size(), b.changes.size());
  for (size_t i = 0; i < a.changes.size(); ++i) {
    EXPECT_EQ(a.changes[i].kind, b.changes[i].kind);
    EXPECT_EQ(a.changes[i].id, b.changes[i].id);
    EXPECT_EQ(a.changes[i].tags, b.changes[i].tags);
    EXPECT_TRUE(a.changes[i].body == b.changes[i].body) << a.changes[i].id;
  }
}

TEST(EscoImporterMiniTest, RerunAndGzipCopyGiveByteIdenticalBodies) {
  auto first = importEsco(miniDir());
  auto second = importEsco(miniDir());
  ASSERT_TRUE(first.ok() && second.ok());
  expectSameChanges(*first, *second);

  testing::TempDir tmp;
  for (const auto& entry : std::filesystem::directory_iterator(miniDir())) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".csv")) gzipFile(entry.path().string(), tmp.file(name + ".gz"));
  }
  auto gz = importEsco(tmp.path());
  ASSERT_TRUE(gz.ok()) << gz.status().toString();
  expectSameChanges(*first, *gz);
  EXPECT_EQ(gz->summary.files.front().file, "skills_de.csv.gz");
}

TEST(EscoImporterMiniTest, ProgressIsMonotonicAndEndsAtTotal) {
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  EscoImportOptions options;
  options.progress = [&calls](uint64_t done, uint64_t total) { calls.emplace_back(done, total); };
  ASSERT_TRUE(importOk(miniDir(), options));
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(miniDir())) {
    if (entry.path().extension() == ".csv") total += entry.file_size();
  }
  ASSERT_GE(calls.size(), 13u);  // a start and at least one per file
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].second, total);
    if (i > 0) {
      EXPECT_GE(calls[i].first, calls[i - 1].first);
    }
  }
  EXPECT_EQ(calls.back().first, total);
}

TEST(EscoImporterMiniTest, AttributionConstant) {
  EXPECT_EQ(kEscoAttribution,
            "This service uses the ESCO classification of the European Commission.");
}

// Bad input: a copy of the fixture with one file changed must fail, naming file and line.
class EscoImporterBadInputTest : public ::testing::Test {
 protected:
  void SetUp() override { copyDir(miniDir(), dir()); }
  std::string dir() const { return tmp_.file("esco"); }
  std::string path(const std::string& name) const { return dir() + "/" + name; }
  void append(const std::string& name, const std::string& row) {
    writeFile(path(name), readFile(path(name)) + row);
  }
  void replace(const std::string& name, const std::string& from, const std::string& to) {
    std::string bytes = readFile(path(name));
    size_t at = bytes.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    writeFile(path(name), bytes.replace(at, from.size(), to));
  }
  // Imports; expects code and every needle in the message.
  void expectError(Status::Code code, std::vector<std::string> needles) {
    auto result = importEsco(dir());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), code) << result.status().toString();
    for (const std::string& needle : needles) {
      EXPECT_NE(result.status().message().find(needle), std::string::npos)
          << "'" << needle << "' not in: " << result.status().toString();
    }
  }
  testing::TempDir tmp_;
};

TEST_F(EscoImporterBadInputTest, MissingColumn) {
  replace("skills_de.csv", ",conceptUri,", ",uri,");
  expectError(Status::Code::kInvalidArgument,
              {"skills_de.csv: line 1", "missing column 'conceptUri'"});
}

TEST_F(EscoImporterBadInputTest, MalformedCsvRow) {
  append("occupationSkillRelations.csv", "x,\"essential\"y,knowledge,z\r\n");
  expectError(Status::Code::kInvalidArgument,
              {"occupationSkillRelations.csv: line 7", "stray quote"});
}

TEST_F(EscoImporterBadInputTest, MoreFieldsThanHeader) {
  append("broaderRelationsOccPillar.csv", "a,b,c,d,e\r\n");
  expectError(Status::Code::kInvalidArgument,
              {"broaderRelationsOccPillar.csv: line 7", "5 fields but the header has 4"});
}

TEST_F(EscoImporterBadInputTest, EmptyUri) {
  append("occupationSkillRelations.csv", ",essential,knowledge," + skill("s1") + "\r\n");
  expectError(Status::Code::kInvalidArgument,
              {"occupationSkillRelations.csv: line 7", "empty occupationUri"});
}

TEST_F(EscoImporterBadInputTest, UnknownRelationType) {
  append("skillSkillRelations.csv",
         skill("s1") + ",knowledge,sometimes,knowledge," + skill("s2") + "\r\n");
  expectError(Status::Code::kInvalidArgument,
              {"skillSkillRelations.csv: line 6", "'sometimes' is not essential or optional"});
}

TEST_F(EscoImporterBadInputTest, DuplicateConceptInOneFile) {
  append("skills_de.csv", "," + skill("s2") + ",,released,Musiklehre,cross-sector,knowledge,\n");
  expectError(Status::Code::kInvalidArgument, {"skills_de.csv: line 6", "duplicate conceptUri"});
}

TEST_F(EscoImporterBadInputTest, BrokenUtf8) {
  replace("skillGroups_en.csv", "negotiating", "negoti\xFF");
  expectError(Status::Code::kInvalidArgument, {"skillGroups_en.csv: line 3", "UTF-8"});
}

TEST_F(EscoImporterBadInputTest, EmptyFile) {
  writeFile(path("skillGroups_de.csv"), "");
  expectError(Status::Code::kInvalidArgument, {"skillGroups_de.csv", "empty file"});
}

TEST_F(EscoImporterBadInputTest, MissingRelationFile) {
  std::filesystem::remove(path("skillSkillRelations.csv"));
  expectError(Status::Code::kNotFound, {"skillSkillRelations.csv"});
}

TEST_F(EscoImporterBadInputTest, MissingLabelFileOfADetectedLanguage) {
  std::filesystem::remove(path("occupations_de.csv"));
  expectError(Status::Code::kNotFound, {"occupations_de.csv"});
}

TEST_F(EscoImporterBadInputTest, PlainAndGzipOfTheSameFile) {
  gzipFile(path("skills_en.csv"), path("skills_en.csv.gz"));
  expectError(Status::Code::kInvalidArgument, {"skills_en.csv and skills_en.csv.gz"});
}

TEST_F(EscoImporterBadInputTest, NoEscoFiles) {
  std::filesystem::remove_all(dir());
  expectError(Status::Code::kNotFound, {dir()});
  std::filesystem::create_directory(dir());
  expectError(Status::Code::kNotFound, {"no ESCO label file"});
}

// The real ESCO v1.1.1 export (English) from ../shared/data.
TEST(EscoImporterRealDataTest, ImportsTheFullExport) {
  std::string data = testing::sharedDataDir();
  if (data.empty()) {
    GTEST_SKIP() << "../shared/data is absent";
  }
  auto start = std::chrono::steady_clock::now();
  auto result = importEsco(data + "/esco");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(result.ok()) << result.status().toString();
  std::printf("ESCO import: %zu records in %.3f s\n", result->changes.size(), seconds);
  Imported in(std::move(result).value());
  const EscoImportSummary& s = in->summary;
  EXPECT_EQ(s.languages, std::vector<std::string>{"en"});
  EXPECT_EQ(s.skills, 13896u);
  EXPECT_EQ(s.occupations, 3007u);
  EXPECT_EQ(s.skill_groups, 640u);
  EXPECT_EQ(s.occupation_groups, 619u);
  EXPECT_EQ(in->changes.size(), 13896u + 3007u + 640u + 619u);
  for (const auto& k : s.skipped) {
    if (k.file == "occupationSkillRelations.csv.gz") {
      EXPECT_EQ(k.rows, 67u);  // the README's quirk: one occupation missing from occupations_en
    }
  }

  auto sk = in.record(catalog::Kind::SKILL, kEsco + "skill/06670261-ea6b-4b52-a915-c7d4ff837f74")
                .getSkill();
  EXPECT_EQ(texts(sk.getPrefLabel()), (Texts{{"en", "identify statistical patterns"}}));
  EXPECT_STREQ(sk.getSkillType().cStr(), "skill/competence");
  EXPECT_STREQ(sk.getReuseLevel().cStr(), "cross-sector");
  EXPECT_EQ(uris(sk.getBroader()), (Uris{kEsco + "skill/57231a22-4da7-49c8-97b8-75672feadf1e",
                                         kEsco + "skill/ba1f6201-b206-4459-b178-706db34a851d"}));
  EXPECT_EQ(links(sk.getRelated()),
            (Links{{kEsco + "skill/57231a22-4da7-49c8-97b8-75672feadf1e", Relation::ESSENTIAL},
                   {kEsco + "skill/7ee4c2ea-b349-4bd2-81a3-ec31475d4833", Relation::OPTIONAL}}));

  auto oc = in.record(catalog::Kind::OCCUPATION,
                      kEsco + "occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34")
                .getOccupation();
  EXPECT_EQ(texts(oc.getPrefLabel()), (Texts{{"en", "technical director"}}));
  EXPECT_STREQ(oc.getCode().cStr(), "2654.1.7");
  EXPECT_STREQ(oc.getIscoGroup().cStr(), "2654");
  EXPECT_EQ(uris(oc.getBroader()), Uris{kEsco + "occupation/cb93fd23-1f51-4495-867a-936c1967066b"});
  EXPECT_EQ(oc.getSkills().size(), 8u);

  auto again = importEsco(data + "/esco");
  ASSERT_TRUE(again.ok()) << again.status().toString();
  expectSameChanges(*in, *again);
}

}  // namespace
}  // namespace eichub::import
