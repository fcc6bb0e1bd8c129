// The kind registry: every kind the node knows has one name, its aliases, a number that a feed
// header carries, and (for the catalogue's kinds) a JSON form and words or skills to be found by.
// Walks the table, so a kind added to it without the rest fails here.
#include "node/catalog/kinds.h"

#include <map>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "node/catalog/change.h"
#include "node/catalog/record_json.h"
#include "node/search/record_terms.h"

namespace eichub::catalog {
namespace {

// One small record of each catalogue kind, by JSON name.
const std::map<std::string, nlohmann::json>& samples() {
  static const std::map<std::string, nlohmann::json> kSamples = {
      {"Skill", {{"id", "http://example.org/skill/1"}, {"prefLabel", {{"en", "welding"}}}}},
      {"SkillGroup", {{"id", "http://example.org/group/1"}, {"prefLabel", {{"en", "metalwork"}}}}},
      {"Occupation", {{"id", "http://example.org/occ/1"}, {"prefLabel", {{"en", "welder"}}}}},
      {"OccupationGroup",
       {{"id", "http://example.org/isco/7212"}, {"prefLabel", {{"en", "welders"}}}}},
      {"LearningResource", {{"id", "lr/1"}, {"title", {{"en", "welding basics"}}}}},
      {"Provider", {{"id", "p/1"}, {"name", {{"en", "weld school"}}}}},
      {"ClusterProfile", {{"id", "c/1"}, {"name", {{"en", "welding cluster"}}}}},
      {"SkillNeed",
       {{"id", "n/1"},
        {"skills", {"http://example.org/skill/1"}},
        {"note", {{"en", "welders wanted"}}}}},
  };
  return kSamples;
}

TEST(KindsTest, EveryKindHasOneNumberOneNameAndItsAliases) {
  std::set<std::string> names;
  std::set<std::string> aliases;
  for (const KindInfo& info : allKinds()) {
    EXPECT_TRUE(names.insert(std::string(info.name)).second) << info.name;
    EXPECT_EQ(kindFromCode(kindCode(info.kind)), info.kind) << info.name;
    EXPECT_EQ(kindName(info.kind), info.name);
    EXPECT_EQ(kindName(kindCode(info.kind)), info.name);
    EXPECT_EQ(parseKind(info.name), info.kind) << "a kind's own name is one of its aliases";
    ASSERT_FALSE(info.aliases.empty()) << info.name;
    for (std::string_view alias : info.aliases) {
      EXPECT_TRUE(aliases.insert(std::string(alias)).second) << "alias " << alias << " twice";
      EXPECT_EQ(parseKind(alias), info.kind);
    }
    EXPECT_EQ(kindFromName(info.name),
              info.catalogue ? std::optional<Kind>(info.kind) : std::nullopt)
        << "trust records are never read from JSON";
  }
  EXPECT_EQ(parseKind("RESOURCE"), Kind::LEARNING_RESOURCE) << "aliases ignore case";
  EXPECT_EQ(parseKind("course"), std::nullopt);
  EXPECT_EQ(kindFromCode(feed::kTrustKind), Kind::TRUST) << "the federation's reserved number";
}

TEST(KindsTest, NumbersNoKindHoldsAreNamedButNotKnown) {
  const auto unknown = static_cast<feed::KindCode>(allKinds().size());
  EXPECT_EQ(kindFromCode(unknown), std::nullopt);
  EXPECT_EQ(kindName(unknown), "Kind" + std::to_string(unknown));
  EXPECT_EQ(kindFromCode(65535), std::nullopt);
}

TEST(KindsTest, EveryCatalogueKindRoundTripsThroughJsonAndHasSearchTexts) {
  size_t catalogue_kinds = 0;
  for (const KindInfo& info : allKinds()) {
    if (!info.catalogue) continue;
    ++catalogue_kinds;
    auto sample = samples().find(std::string(info.name));
    ASSERT_NE(sample, samples().end()) << "no sample for " << info.name;
    nlohmann::json json = sample->second;
    json["kind"] = info.name;
    auto change = changeFromJson(json);
    ASSERT_TRUE(change.ok()) << info.name << ": " << change.status().toString();
    EXPECT_EQ(change->kind, info.kind);

    auto reader = RecordReader::open(change->body);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ(kindOf((*reader)->root()), info.kind);
    nlohmann::json back = recordToJson((*reader)->root());
    EXPECT_EQ(back["kind"], info.name);
    auto again = changeFromJson(back);
    ASSERT_TRUE(again.ok()) << again.status().toString();
    EXPECT_EQ(again->body, change->body) << info.name;

    auto texts = search::recordTexts((*reader)->root());
    ASSERT_TRUE(texts.ok()) << info.name;
    EXPECT_FALSE(search::indexTerms(*texts).empty() && texts->skills.empty())
        << info.name << " has neither words nor skills to be found by";
  }
  EXPECT_EQ(catalogue_kinds, samples().size());
}

// The node's side of an opaque kind: a header whose number this node does not name is refused
// with that number, before its body is read.
TEST(KindsTest, AnUpdateOfAKindThisNodeDoesNotKnowIsRefusedNamingItsNumber) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  feed::FeedAppender appender(*key, "test-network", feed::Head{});
  auto change = changeFromJson({{"kind", "Provider"}, {"id", "p/1"}, {"name", {{"en", "x"}}}});
  ASSERT_TRUE(change.ok());
  feed::VerifiedUpdate known = appender.append(change->op, kindCode(change->kind), change->id,
                                               change->tags, change->body, 1000);
  EXPECT_TRUE(checkUpdateBody(known).ok());
  feed::VerifiedUpdate newer =
      appender.append(change->op, 300, change->id, change->tags, change->body, 1001);
  Status refused = checkUpdateBody(newer);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.toString().find("unknown kind 300"), std::string::npos) << refused.toString();
}

}  // namespace
}  // namespace eichub::catalog
