// Tests of the JSON form of records: every kind parses and round-trips, and each bad input is
// rejected with InvalidArgument naming the JSON path at fault.
#include "node/catalog/record_json.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testing/doc_examples.h"

namespace eichub::catalog {
namespace {

using nlohmann::json;

// The line the brief requires to publish exactly as written.
constexpr const char* kExampleLine =
    R"({"kind":"LearningResource","id":"acme/101","title":{"en":"Wound care basics","de":"Grundlagen der Wundversorgung"},"description":{"en":"..."},"url":"https://example.org/101","provider":"acme","languages":["en","de"],"mode":"online","eqfLevel":4,"teaches":[{"skill":"http://data.europa.eu/esco/skill/<uuid>","relation":"essential"}],"sectors":["healthcare"],"region":"UKE42"})";

// One full line per kind, every field set.
const std::vector<std::string>& everyKind() {
  static const std::vector<std::string> lines = {
      R"({"kind":"Skill","id":"http://data.europa.eu/esco/skill/1c6736c2-77de-419c-9b84-8932e15abc21","skillType":"skill/competence","reuseLevel":"sector-specific","prefLabel":{"en":"carry out wound care","de":"Wundversorgung durchführen"},"altLabels":{"en":["treat wounds","dress wounds"]},"description":{"en":"Clean and dress wounds."},"broader":["http://data.europa.eu/esco/skill/S3.2"],"related":[{"skill":"http://data.europa.eu/esco/skill/x","relation":"optional"}],"status":"released"})",
      R"({"kind":"SkillGroup","id":"http://data.europa.eu/esco/skill/S3.2","code":"S3.2","prefLabel":{"en":"caring for patients"},"altLabels":{"en":["patient care"]},"description":{"en":"Providing care."},"broader":["http://data.europa.eu/esco/skill/S3"]})",
      R"({"kind":"Occupation","id":"http://data.europa.eu/esco/occupation/d38c2107-98f2-47b7-8bb4-f69750d51082","code":"5321.1","iscoGroup":"5321","prefLabel":{"en":"healthcare assistant"},"altLabels":{"en":["care assistant"]},"description":{"en":"Supports nurses."},"broader":["http://data.europa.eu/esco/isco/C5321"],"skills":[{"skill":"http://data.europa.eu/esco/skill/a","relation":"essential"},{"skill":"http://data.europa.eu/esco/skill/b","relation":"optional"}]})",
      R"({"kind":"OccupationGroup","id":"http://data.europa.eu/esco/isco/C5321","code":"5321","prefLabel":{"en":"Health care assistants"},"description":{"en":"ISCO unit group 5321."},"broader":["http://data.europa.eu/esco/isco/C532"]})",
      R"({"kind":"LearningResource","id":"leeds/lr/1","title":{"en":"Wound care"},"description":{"en":"Line one.\nLine two."},"url":"https://example.org/1","provider":"leeds/p","languages":["en"],"mode":"blended","eqfLevel":3,"durationHours":12.5,"price":{"amount":49.99,"currency":"GBP"},"licence":"https://creativecommons.org/licenses/by/4.0/","teaches":[{"skill":"http://data.europa.eu/esco/skill/a","relation":"essential"}],"sectors":["healthcare"],"region":"UKE42","validFrom":"2025-09-01","validUntil":"2026-07-31","keywords":{"en":["wounds","dressings"]}})",
      R"({"kind":"Provider","id":"leeds/p","name":{"en":"Aire Valley Health Academy"},"providerKind":"vet-school","region":"UKE42","url":"https://example.org/"})",
      R"({"kind":"ClusterProfile","id":"leeds","name":{"en":"Leeds Health Cluster"},"region":"UKE42","sectors":["healthcare"],"contact":"skills@leeds-health.example.org","peerEndpoint":"tcp://leeds.example.org:7100","transportKey":"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"})",
      R"({"kind":"SkillNeed","id":"leeds/need/1","skills":["http://data.europa.eu/esco/skill/a"],"occupation":"http://data.europa.eu/esco/occupation/o","region":"UKE42","sector":"healthcare","headcount":40,"horizon":"2026-09","note":{"en":"Needed soon."}})",
  };
  return lines;
}

Result<Change> fromLine(std::string_view line) { return changeFromJson(json::parse(line)); }

// The change's record, decoded from its body.
json bodyToJson(const Change& change) {
  auto reader = RecordReader::open(change.body);
  EXPECT_TRUE(reader.ok()) << reader.status().toString();
  if (!reader.ok()) return nullptr;
  return recordToJson((*reader)->root());
}

// Expects InvalidArgument whose message starts with prefix (the JSON path and reason).
void expectInvalid(const json& obj, std::string_view prefix) {
  Result<Change> change = changeFromJson(obj);
  ASSERT_FALSE(change.ok()) << "accepted: " << obj.dump();
  EXPECT_EQ(change.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(change.status().message().substr(0, prefix.size()), prefix)
      << change.status().message();
}

json example() { return json::parse(kExampleLine); }

TEST(RecordJsonTest, ExampleLinePublishesAndRoundTrips) {
  Result<Change> change = fromLine(kExampleLine);
  ASSERT_TRUE(change.ok()) << change.status().toString();
  EXPECT_EQ(change->op, feed::Op::UPSERT);
  EXPECT_EQ(change->kind, catalog::Kind::LEARNING_RESOURCE);
  EXPECT_EQ(change->id, "acme/101");
  EXPECT_FALSE(change->body.empty());
  json back = bodyToJson(*change);
  EXPECT_EQ(back, example()) << back.dump();
  Result<Change> again = changeFromJson(back);
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(again->body, change->body);
  EXPECT_EQ(again->tags, change->tags);
}

TEST(RecordJsonTest, EveryKindParsesAndRoundTripsByteIdentical) {
  std::vector<catalog::Kind> kinds;
  for (const std::string& line : everyKind()) {
    Result<Change> change = fromLine(line);
    ASSERT_TRUE(change.ok()) << line << "\n" << change.status().toString();
    kinds.push_back(change->kind);
    EXPECT_EQ(kindName(change->kind), json::parse(line)["kind"].get<std::string>());
    json back = bodyToJson(*change);
    EXPECT_EQ(back, json::parse(line)) << back.dump();
    Result<Change> again = changeFromJson(back);
    ASSERT_TRUE(again.ok()) << again.status().toString();
    EXPECT_EQ(again->body, change->body) << line;
  }
  EXPECT_EQ(kinds.size(), 8u);
}

TEST(RecordJsonTest, KindNamesMapBothWays) {
  for (std::string_view name : {"Skill", "SkillGroup", "Occupation", "OccupationGroup",
                                "LearningResource", "Provider", "ClusterProfile", "SkillNeed"}) {
    auto kind = kindFromName(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_EQ(kindName(*kind), name);
  }
  EXPECT_FALSE(kindFromName("Course").has_value());
  // Trust records are counted under a name, but never read from JSON.
  EXPECT_EQ(kindName(catalog::Kind::TRUST), "Trust");
  EXPECT_FALSE(kindFromName("Trust").has_value());
}

TEST(RecordJsonTest, LanguageOrderAndEmptyFieldsDoNotChangeTheBody) {
  Result<Change> base = fromLine(kExampleLine);
  ASSERT_TRUE(base.ok());
  json reordered = example();
  reordered["title"] =
      json::parse(R"({"de":"Grundlagen der Wundversorgung","en":"Wound care basics"})");
  reordered["licence"] = "";
  reordered["keywords"] = json::object();
  reordered["validFrom"] = nullptr;
  reordered["price"] = json::object();
  Result<Change> same = changeFromJson(reordered);
  ASSERT_TRUE(same.ok()) << same.status().toString();
  EXPECT_EQ(same->body, base->body);
}

TEST(RecordJsonTest, DeleteLines) {
  Result<Change> del = fromLine(R"({"op":"delete","kind":"LearningResource","id":"acme/101"})");
  ASSERT_TRUE(del.ok()) << del.status().toString();
  EXPECT_EQ(del->op, feed::Op::DELETE);
  EXPECT_EQ(del->kind, catalog::Kind::LEARNING_RESOURCE);
  EXPECT_EQ(del->id, "acme/101");
  EXPECT_TRUE(del->body.empty());

  Result<Change> upsert =
      fromLine(R"({"op":"upsert","kind":"Provider","id":"p","name":{"en":"P"}})");
  ASSERT_TRUE(upsert.ok()) << upsert.status().toString();
  EXPECT_EQ(upsert->op, feed::Op::UPSERT);

  expectInvalid(json::parse(R"({"op":"delete","kind":"Skill"})"), "id: missing required field");
  expectInvalid(json::parse(R"({"op":"delete","kind":"Skill","id":"s","prefLabel":{"en":"x"}})"),
                "prefLabel: unknown field");
  expectInvalid(json::parse(R"({"op":"remove","kind":"Skill","id":"s"})"),
                "op: expected one of upsert, delete");
}

TEST(RecordJsonTest, UnknownFieldsAreRejectedNotDropped) {
  json obj = example();
  obj["titel"] = {{"en", "typo"}};
  expectInvalid(obj, "titel: unknown field");

  obj = example();
  obj["teaches"][0]["weight"] = 1;
  expectInvalid(obj, "teaches[0].weight: unknown field");

  obj = example();
  obj["price"] = {{"amount", 10}, {"currency", "EUR"}, {"vat", 0}};
  expectInvalid(obj, "price.vat: unknown field");

  // A misspelt required field is reported as unknown, not as missing.
  obj = example();
  obj.erase("title");
  obj["Title"] = {{"en", "x"}};
  expectInvalid(obj, "Title: unknown field");
  // A field of another kind is unknown here.
  obj = example();
  obj["prefLabel"] = {{"en", "x"}};
  expectInvalid(obj, "prefLabel: unknown field");
}

TEST(RecordJsonTest, WrongTypes) {
  json obj = example();
  obj["eqfLevel"] = "four";
  expectInvalid(obj, "eqfLevel: expected an integer 1..8, got string");
  obj["eqfLevel"] = 4.0;
  expectInvalid(obj, "eqfLevel: expected an integer 1..8, got number");
  obj = example();
  obj["title"] = "Wound care";
  expectInvalid(obj, "title: expected an object");
  obj = example();
  obj["title"]["en"] = 7;
  expectInvalid(obj, "title.en: expected a string, got number");
  obj = example();
  obj["languages"] = "en";
  expectInvalid(obj, "languages: expected a list, got string");
  obj = example();
  obj["teaches"][0] = "http://data.europa.eu/esco/skill/a";
  expectInvalid(obj, "teaches[0]: expected an object");
  obj = example();
  obj["url"] = true;
  expectInvalid(obj, "url: expected a string, got boolean");
  obj = example();
  obj["durationHours"] = "12";
  expectInvalid(obj, "durationHours: expected a number, got string");
  expectInvalid(json::array({1, 2}), "record: expected a JSON object, got array");
}

TEST(RecordJsonTest, MissingRequiredFields) {
  json obj = example();
  obj.erase("kind");
  expectInvalid(obj, "kind: missing required field");
  obj = example();
  obj.erase("id");
  expectInvalid(obj, "id: missing required field");
  obj = example();
  obj.erase("title");
  expectInvalid(obj, "title: missing required field");
  obj = example();
  obj["title"] = {{"en", ""}};
  expectInvalid(obj, "title: missing required field");
  expectInvalid(json::parse(R"({"kind":"Skill","id":"s"})"), "prefLabel: missing required field");
  expectInvalid(json::parse(R"({"kind":"SkillGroup","id":"g"})"),
                "prefLabel: missing required field");
  expectInvalid(json::parse(R"({"kind":"Provider","id":"p"})"), "name: missing required field");
  expectInvalid(json::parse(R"({"kind":"ClusterProfile","id":"c"})"),
                "name: missing required field");
  expectInvalid(json::parse(R"({"kind":"SkillNeed","id":"n","headcount":3})"), "skills: missing");
  obj = example();
  obj["teaches"][0].erase("relation");
  expectInvalid(obj, "teaches[0].relation: missing required field");
  obj = example();
  obj["price"] = {{"currency", "EUR"}};
  expectInvalid(obj, "price.amount: missing required field");
  obj["price"] = {{"amount", 5}};
  expectInvalid(obj, "price.currency: missing required field");
}

TEST(RecordJsonTest, UnknownKind) {
  expectInvalid(json::parse(R"({"kind":"Course","id":"c","title":{"en":"x"}})"),
                "kind: unknown kind \"Course\"");
}

TEST(RecordJsonTest, ValuesOutOfRange) {
  json obj = example();
  for (int level : {0, 9, -1}) {
    obj["eqfLevel"] = level;
    expectInvalid(obj, "eqfLevel: out of range 1..8");
  }
  obj["eqfLevel"] = 8;
  EXPECT_TRUE(changeFromJson(obj).ok());

  obj = example();
  obj["mode"] = "hybrid";
  expectInvalid(obj, "mode: expected one of online, onsite, blended, got \"hybrid\"");
  obj = example();
  obj["teaches"][0]["relation"] = "core";
  expectInvalid(obj, "teaches[0].relation: expected one of essential, optional");
  obj = example();
  obj["region"] = "Leeds";
  expectInvalid(obj, "region: expected a NUTS code");
  obj = example();
  obj["languages"] = {"en", "English"};
  expectInvalid(obj, "languages[1]: expected a language tag");
  obj = example();
  obj["title"] = {{"EN", "x"}};
  expectInvalid(obj, "title.EN: expected a language tag");
  obj = example();
  obj["url"] = "ftp://example.org/x";
  expectInvalid(obj, "url: expected an http:// or https:// URL");
  obj = example();
  obj["validFrom"] = "2025-02-30";
  expectInvalid(obj, "validFrom: expected a date YYYY-MM-DD");
  obj["validFrom"] = "2026-01-01";
  obj["validUntil"] = "2025-12-31";
  expectInvalid(obj, "validUntil: before validFrom");
  obj = example();
  obj["id"] = "acme 101";
  expectInvalid(obj, "id: space at byte 4");
  obj = example();
  obj["title"]["en"] = "Wound\u0001care";
  expectInvalid(obj, "title.en: control character at byte 5");
  obj = example();
  obj["languages"] = {"en", ""};
  expectInvalid(obj, "languages[1]: empty entry");
  obj = example();
  obj["keywords"] = {{"de", {""}}, {"en", {"x"}}};
  expectInvalid(obj, "keywords.de[0]: empty entry");
  expectInvalid(
      json::parse(R"({"kind":"Occupation","id":"o","prefLabel":{"en":"x"},"iscoGroup":"53211"})"),
      "iscoGroup: expected an ISCO-08 code");
  expectInvalid(
      json::parse(R"({"kind":"ClusterProfile","id":"c","name":{"en":"x"},"transportKey":"short"})"),
      "transportKey: expected a 40-character Z85 CURVE public key");
  expectInvalid(
      json::parse(R"({"kind":"Provider","id":"p","name":{"en":"x"},"providerKind":"school"})"),
      "providerKind: expected one of vet-school");
}

TEST(RecordJsonTest, Prices) {
  json obj = example();
  obj["price"] = {{"amount", 49}, {"currency", "EUR"}};
  Result<Change> change = changeFromJson(obj);
  ASSERT_TRUE(change.ok()) << change.status().toString();
  EXPECT_EQ(bodyToJson(*change)["price"], json::parse(R"({"amount":49.0,"currency":"EUR"})"));

  obj["price"] = {{"amount", 0}, {"currency", "EUR"}};
  EXPECT_TRUE(changeFromJson(obj).ok()) << "free is a price";
  obj["price"] = {{"amount", kMaxPriceAmount}, {"currency", "EUR"}};
  EXPECT_TRUE(changeFromJson(obj).ok());
  obj["price"] = {{"amount", kMaxPriceAmount + 1}, {"currency", "EUR"}};
  expectInvalid(obj, "price.amount: expected a number >= 0");
  obj["price"] = {{"amount", -1}, {"currency", "EUR"}};
  expectInvalid(obj, "price.amount: expected a number >= 0");
  obj["price"] = {{"amount", std::numeric_limits<double>::quiet_NaN()}, {"currency", "EUR"}};
  expectInvalid(obj, "price.amount: expected a number >= 0");
  obj["price"] = {{"amount", 1.005}, {"currency", "EUR"}};
  expectInvalid(obj, "price.amount: more than two decimals");
  obj["price"] = {{"amount", 0.00001}, {"currency", "EUR"}};
  expectInvalid(obj, "price.amount: more than two decimals");
  // Currencies with small units: a course of about 600 euros in rupiah, and cents kept exactly
  // near the limit, where multiplying by 100 is no longer exact in a double.
  for (const char* text : {"9500000", "123456789012.34", "999999999999.99", "0.07"}) {
    obj["price"] = {{"amount", json::parse(text)}, {"currency", "IDR"}};
    Result<Change> large = changeFromJson(obj);
    ASSERT_TRUE(large.ok()) << text << ": " << large.status().toString();
    EXPECT_EQ(bodyToJson(*large)["price"]["amount"], json::parse(text).get<double>()) << text;
  }
  obj["price"] = {{"amount", json::parse("123456789012.345")}, {"currency", "IDR"}};
  expectInvalid(obj, "price.amount: more than two decimals");
  obj["price"] = {{"amount", 10}, {"currency", "eur"}};
  expectInvalid(obj, "price.currency: expected an ISO 4217 code");
  obj["price"] = "49 EUR";
  expectInvalid(obj, "price: expected {\"amount\"");
}

TEST(RecordJsonTest, NumbersAtTheirLimits) {
  json obj = example();
  obj["durationHours"] = kMaxDurationHours;
  EXPECT_TRUE(changeFromJson(obj).ok());
  obj["durationHours"] = kMaxDurationHours + 0.5;
  expectInvalid(obj, "durationHours: expected a number > 0");
  obj["durationHours"] = 0;
  expectInvalid(obj, "durationHours: expected a number > 0");
  obj["durationHours"] = std::numeric_limits<double>::infinity();
  expectInvalid(obj, "durationHours: expected a number > 0");

  json need = json::parse(R"({"kind":"SkillNeed","id":"n","skills":["s"]})");
  need["headcount"] = kMaxHeadcount;
  EXPECT_TRUE(changeFromJson(need).ok());
  need["headcount"] = kMaxHeadcount + 1;
  expectInvalid(need, "headcount: out of range 1..1000000");
}

TEST(RecordJsonTest, TextsAtTheirLimits) {
  json obj = example();
  obj["title"]["en"] = std::string(kMaxLabelBytes, 'a');
  EXPECT_TRUE(changeFromJson(obj).ok());
  obj["title"]["en"] = std::string(kMaxLabelBytes + 1, 'a');
  expectInvalid(obj, "title.en: 1025 bytes, over the limit of 1024");

  obj = example();
  obj["description"]["en"] = std::string(kMaxTextBytes, 'a');
  Result<Change> at_limit = changeFromJson(obj);
  EXPECT_TRUE(at_limit.ok()) << at_limit.status().toString();
  obj["description"]["en"] = std::string(kMaxTextBytes + 1, 'a');
  expectInvalid(obj, "description.en: " + std::to_string(kMaxTextBytes + 1) + " bytes");

  obj = example();
  obj["url"] = "https://example.org/" + std::string(kMaxUriBytes - 20, 'a');
  EXPECT_TRUE(changeFromJson(obj).ok());
  obj["url"] = "https://example.org/" + std::string(kMaxUriBytes - 19, 'a');
  expectInvalid(obj, "url: 2049 bytes, over the limit of 2048");

  json group = json::parse(R"({"kind":"SkillGroup","id":"g","prefLabel":{"en":"g"}})");
  group["code"] = std::string(kMaxTokenBytes, 'S');
  EXPECT_TRUE(changeFromJson(group).ok());
  group["code"] = std::string(kMaxTokenBytes + 1, 'S');
  expectInvalid(group, "code: 65 bytes, over the limit of 64");

  obj = example();
  obj["id"] = std::string(feed::kMaxIdBytes, 'i');
  EXPECT_TRUE(changeFromJson(obj).ok());
  obj["id"] = std::string(feed::kMaxIdBytes + 1, 'i');
  expectInvalid(obj, "id: 257 bytes, over the limit of 256");
}

TEST(RecordJsonTest, ListsAtTheirLimits) {
  json obj = example();
  obj["languages"] = json::array();
  for (size_t i = 0; i < kMaxListEntries; ++i) obj["languages"].push_back("en");
  Result<Change> at_limit = changeFromJson(obj);
  EXPECT_TRUE(at_limit.ok()) << at_limit.status().toString();
  obj["languages"].push_back("en");
  expectInvalid(obj, "languages: 4097 entries, over the limit of 4096");

  obj = example();
  obj["title"] = json::object();
  for (size_t i = 0; i < kMaxLanguages; ++i) {
    obj["title"]["l" + std::string(1, static_cast<char>('a' + i / 26)) +
                 std::string(1, static_cast<char>('a' + i % 26))] = "t";
  }
  EXPECT_TRUE(changeFromJson(obj).ok());
  obj["title"]["zzz"] = "t";
  expectInvalid(obj, "title: 65 languages, over the limit of 64");

  obj = example();
  obj["keywords"] = {{"en", json::array()}};
  for (size_t i = 0; i <= kMaxListEntries; ++i) obj["keywords"]["en"].push_back("k");
  expectInvalid(obj, "keywords.en: 4097 entries");
}

TEST(RecordJsonTest, BrokenUtf8IsRejected) {
  json obj = example();
  obj["title"]["en"] = std::string("Wound \xff care");
  expectInvalid(obj, "title.en: not valid UTF-8");
  obj = example();
  obj["sectors"] = {std::string("health\xc3")};
  expectInvalid(obj, "sectors[0]: not valid UTF-8");
  obj = example();
  obj["teaches"][0]["skill"] = std::string("http://x/\xed\xa0\x80");  // a UTF-16 surrogate
  expectInvalid(obj, "teaches[0].skill: not valid UTF-8");
}

TEST(RecordJsonTest, MultilineTextsOnlyWhereTextIsLong) {
  json obj = example();
  obj["description"]["en"] = "First paragraph.\r\n\r\nSecond\tparagraph.";
  EXPECT_TRUE(changeFromJson(obj).ok());
  obj["title"]["en"] = "Two\nlines";
  expectInvalid(obj, "title.en: control character at byte 3");
}

// Every one-line JSON example in docs/catalogue-jsonl.md (inside ```json blocks) is accepted.
TEST(RecordJsonTest, DocumentedExamplesAreValid) {
  const std::vector<std::string> lines = testing::docJsonLines("catalogue-jsonl.md");
  for (const std::string& line : lines) {
    Result<Change> change = changeFromJson(json::parse(line));
    EXPECT_TRUE(change.ok()) << line << "\n" << change.status().toString();
  }
  EXPECT_GE(lines.size(), 9u);
}

// A record's label: the language asked for, else English, else the first tag; none for a kind
// without names.
TEST(RecordJsonTest, TheLabelIsTheNameInTheLanguageAskedForElseEnglishElseTheFirst) {
  const json skill = json::parse(
      R"({"kind":"Skill","id":"s","prefLabel":{"de":"Wundversorgung","en":"wound care","fr":"soins"}})");
  EXPECT_EQ(recordLabel(skill, "fr"), "soins");
  EXPECT_EQ(recordLabel(skill, "nb"), "wound care");
  EXPECT_EQ(recordLabel(skill), "wound care");
  const json course = json::parse(
      R"({"kind":"LearningResource","id":"c","title":{"nb":"Sårstell","de":"Wunden"}})");
  EXPECT_EQ(recordLabel(course), "Wunden");
  const json provider = json::parse(R"({"kind":"Provider","id":"p","name":{"en":"Academy"}})");
  EXPECT_EQ(recordLabel(provider), "Academy");
  const json need = json::parse(R"({"kind":"SkillNeed","id":"n","skills":["s"]})");
  EXPECT_EQ(recordLabel(need), "");
  EXPECT_EQ(recordLabel(json::parse(R"({"kind":"Course","title":{"en":"x"}})")), "");
  EXPECT_EQ(recordLabel(nullptr), "");
}

}  // namespace
}  // namespace eichub::catalog
