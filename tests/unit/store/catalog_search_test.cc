// StoreQueries::search and recordsBySkill: ranking, normalisation, filters, limits, and the
// index following replaced and deleted records.
#include <gtest/gtest.h>

#include "node/store/catalog_store.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using catalog::Kind;
using testing::TestFeed;

SearchQuery q(std::string text, std::optional<Kind> kind = std::nullopt, std::string lang = "",
              size_t limit = 10) {
  return SearchQuery{std::move(text), kind, std::move(lang), limit};
}

class CatalogSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = CatalogStore::open(dir_.path(), {});
    ASSERT_TRUE(store.ok()) << store.status().toString();
    store_ = std::move(store).value();
  }
  void apply(std::vector<feed::VerifiedUpdate> batch) {
    auto stats = store_->writer().apply(batch);
    ASSERT_TRUE(stats.ok()) << stats.status().toString();
  }
  std::vector<std::string> ids(const SearchQuery& query) {
    std::vector<std::string> out;
    auto hits = store_->queries().search(query);
    EXPECT_TRUE(hits.ok()) << hits.status().toString();
    if (!hits.ok()) return out;
    for (const SearchHit& hit : *hits) out.push_back(hit.key.id);
    return out;
  }
  std::vector<std::string> ids(const std::string& text) { return ids(q(text)); }

  eichub::testing::TempDir dir_;
  std::unique_ptr<CatalogStore> store_;
  TestFeed a_;
};

TEST_F(CatalogSearchTest, RanksByFieldWeightThenShorterLabelThenKey) {
  apply({a_.skill("long", {{"en", "perform wound care"}}),
         a_.skill("alt", {{"en", "dressing"}}, {{"en", "wound care"}}),
         a_.skill("exact", {{"en", "wound care"}}),
         a_.skill("mixed", {{"en", "wound management"}}, {{"en", "patient care"}}),
         a_.skill("twin-b", {{"en", "Wound Care"}}), a_.skill("other", {{"en", "welding"}})});
  auto hits = store_->queries().search(q("wound care")).value();
  std::vector<std::string> got;
  for (const auto& hit : hits) got.push_back(hit.key.id);
  EXPECT_EQ(got, (std::vector<std::string>{"exact", "twin-b", "long", "mixed", "alt"}));
  ASSERT_EQ(hits.size(), 5u);
  EXPECT_EQ(hits[0].score, 4);
  EXPECT_EQ(hits[2].score, 4);
  EXPECT_EQ(hits[3].score, 3);  // label 2 + alt label 1
  EXPECT_EQ(hits[4].score, 2);
  // Every word must match.
  EXPECT_EQ(ids("wound welding"), std::vector<std::string>{});
  EXPECT_EQ(ids("zebra"), std::vector<std::string>{});  // descriptions are not indexed
  EXPECT_EQ(ids(""), std::vector<std::string>{});
  EXPECT_EQ(ids(" -- "), std::vector<std::string>{});
}

TEST_F(CatalogSearchTest, IgnoresCaseAndAccents) {
  apply({a_.skill("fr", {{"fr", "ÉLÉMENTS de sécurité"}}),
         a_.skill("de", {{"de", "Wundversorgung und Straße"}})});
  EXPECT_EQ(ids("elements securite"), std::vector<std::string>{"fr"});
  EXPECT_EQ(ids("Éléments"), std::vector<std::string>{"fr"});
  EXPECT_EQ(ids("WUNDVERSORGUNG"), std::vector<std::string>{"de"});
  EXPECT_EQ(ids("strasse"), std::vector<std::string>{"de"});
}

TEST_F(CatalogSearchTest, FiltersByKind) {
  apply({a_.skill("weld", {{"en", "welding"}}),
         a_.resource("course", {{"en", "Welding basics"}}, {"weld"})});
  EXPECT_EQ(ids("welding").size(), 2u);
  EXPECT_EQ(ids(q("welding", Kind::LEARNING_RESOURCE)), std::vector<std::string>{"course"});
  EXPECT_EQ(ids(q("welding", Kind::SKILL)), std::vector<std::string>{"weld"});
  EXPECT_EQ(ids(q("welding", Kind::OCCUPATION)), std::vector<std::string>{});
}

TEST_F(CatalogSearchTest, FiltersByLanguage) {
  apply({a_.skill("en", {{"en-GB", "wound care"}, {"de", "Wundversorgung"}}),
         a_.skill("de", {{"de", "wound care Kurs"}}),
         a_.skill("split", {{"en", "wound"}}, {{"de", "care"}})});
  EXPECT_EQ(ids(q("wound care", std::nullopt, "de")), std::vector<std::string>{"de"});
  EXPECT_EQ(ids(q("wound care", std::nullopt, "EN")), std::vector<std::string>{"en"});
  EXPECT_EQ(ids(q("wundversorgung", std::nullopt, "en")), std::vector<std::string>{});
  EXPECT_EQ(ids(q("wound care", std::nullopt, "fr")), std::vector<std::string>{});
  EXPECT_EQ(ids(q("wound care")).size(), 3u);
  // The filter keeps filling up to the limit past rejected candidates.
  EXPECT_EQ(ids(q("wound care", std::nullopt, "de", 1)), std::vector<std::string>{"de"});
}

TEST_F(CatalogSearchTest, LimitIsExactAndDeterministic) {
  std::vector<feed::VerifiedUpdate> batch;
  for (int i = 0; i < 15; ++i) {
    batch.push_back(a_.skill("s" + std::to_string(100 + i), {{"en", "care"}}));
  }
  apply(batch);
  auto ten = ids(q("care", std::nullopt, "", 10));
  ASSERT_EQ(ten.size(), 10u);
  EXPECT_EQ(ten.front(), "s100");  // equal scores and labels: key order
  EXPECT_EQ(ten.back(), "s109");
  EXPECT_EQ(ids(q("care", std::nullopt, "", 15)).size(), 15u);
  EXPECT_EQ(ids(q("care", std::nullopt, "", 16)).size(), 15u);
  EXPECT_EQ(ids(q("care", std::nullopt, "", 0)).size(), 0u);
}

TEST_F(CatalogSearchTest, ReplacedRecordLosesOldTerms) {
  apply({a_.skill("s1", {{"en", "wound care"}}, {{"en", "dressing"}}),
         a_.resource("c1", {{"en", "Course"}}, {"skill:a", "skill:b"})});
  EXPECT_EQ(ids("dressing"), std::vector<std::string>{"s1"});
  apply({a_.skill("s1", {{"en", "burn treatment"}}),
         a_.resource("c1", {{"en", "Course"}}, {"skill:b", "skill:c"})});
  EXPECT_EQ(ids("wound"), std::vector<std::string>{});
  EXPECT_EQ(ids("dressing"), std::vector<std::string>{});
  EXPECT_EQ(ids("burn"), std::vector<std::string>{"s1"});
  EXPECT_TRUE(store_->queries().recordsBySkill("skill:a").value().empty());
  EXPECT_EQ(store_->queries().recordsBySkill("skill:b").value().size(), 1u);
  EXPECT_EQ(store_->queries().recordsBySkill("skill:c").value().size(), 1u);
  // Re-publishing the same body changes nothing.
  apply({a_.skill("s1", {{"en", "burn treatment"}})});
  EXPECT_EQ(ids("burn treatment"), std::vector<std::string>{"s1"});
  apply({a_.remove(Kind::SKILL, "s1")});
  EXPECT_EQ(ids("burn"), std::vector<std::string>{});
}

TEST_F(CatalogSearchTest, IdsThatExtendEachOtherStayDistinct) {
  // "ab" is a prefix of "ab\x01..." etc.: postings share a prefix; lookups must not mix them.
  apply({a_.skill("ab", {{"en", "alpha"}}), a_.skill(std::string("ab\x01") + "x", {{"en", "beta"}}),
         a_.skill("abc", {{"en", "alpha beta"}})});
  EXPECT_EQ(ids("alpha beta"), std::vector<std::string>{"abc"});
  EXPECT_EQ(ids("alpha").size(), 2u);
  EXPECT_EQ(ids("beta").size(), 2u);
}

// Rids follow arrival order, which differs between nodes; ties must still go to key order.
TEST_F(CatalogSearchTest, TieBreakIgnoresArrivalOrder) {
  std::vector<feed::VerifiedUpdate> forward;
  for (int i = 0; i < 12; ++i) {
    forward.push_back(a_.skill("t" + std::to_string(10 + i), {{"en", "tie label"}}));
  }
  forward.push_back(a_.skill("best", {{"en", "tie"}}));
  apply(forward);
  // The same records first seen newest-first: as another author's feed, so the order is free.
  TestFeed b;
  eichub::testing::TempDir other_dir;
  auto other = CatalogStore::open(other_dir.path(), {}).value();
  std::vector<feed::VerifiedUpdate> backward;
  backward.push_back(b.skill("best", {{"en", "tie"}}));
  for (int i = 11; i >= 0; --i) {
    backward.push_back(b.skill("t" + std::to_string(10 + i), {{"en", "tie label"}}));
  }
  ASSERT_TRUE(other->writer().apply(backward).ok());
  for (const SearchQuery& query :
       {q("tie", std::nullopt, "", 5), q("tie label", std::nullopt, "", 3),
        q("tie", std::nullopt, "en", 4), q("tie", Kind::SKILL, "", 13)}) {
    std::vector<std::string> mine = ids(query);
    std::vector<std::string> theirs;
    auto hits = other->queries().search(query);
    ASSERT_TRUE(hits.ok()) << hits.status().toString();
    for (const SearchHit& hit : *hits) theirs.push_back(hit.key.id);
    EXPECT_EQ(mine, theirs) << query.text;
    ASSERT_FALSE(mine.empty());
    if (query.text == "tie") {
      EXPECT_EQ(mine[0], "best");
      EXPECT_EQ(mine[1], "t10");
    }
  }
  EXPECT_EQ(ids(q("tie label", std::nullopt, "", 3)),
            (std::vector<std::string>{"t10", "t11", "t12"}));
}

TEST_F(CatalogSearchTest, AuthorsDoNotConflict) {
  TestFeed b;
  apply({a_.skill("same", {{"en", "shared label"}}), b.skill("same", {{"en", "shared label"}})});
  auto hits = store_->queries().search(q("shared")).value();
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_NE(hits[0].key.author, hits[1].key.author);
  EXPECT_LT(hits[0].key, hits[1].key);
  EXPECT_EQ(store_->queries().recordsById("same").value().size(), 2u);
}

}  // namespace
}  // namespace eichub::store
