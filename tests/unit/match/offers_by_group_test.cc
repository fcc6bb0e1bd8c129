// Tests for offers per skill group and region on the mini federation: every resource that
// teaches a skill under the care group is counted once in its region, as the JSON Lines files
// say independently of the index.
#include "node/match/offers_by_group.h"

#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/unit/match/match_fixture.h"

namespace eichub::match {
namespace {

// Resources per region that teach at least one skill, read straight from the test files.
std::map<std::string, uint64_t> teachingResourcesByRegion() {
  std::map<std::string, uint64_t> out;
  for (const char* file : {"leeds.jsonl", "bremen.jsonl"}) {
    std::ifstream in(testing::miniFile(file));
    std::string line;
    while (std::getline(in, line)) {
      auto doc = nlohmann::json::parse(line);
      if (doc["kind"] != "LearningResource" || !doc.contains("teaches")) continue;
      if (doc["teaches"].empty()) continue;
      ++out[doc.value("region", std::string())];
    }
  }
  return out;
}

TEST(OffersByGroupTest, CountsEachTeachingResourceOnceInItsRegion) {
  testing::MiniStore mini;
  auto index = MatchIndex::build(*mini.store);
  ASSERT_TRUE(index.ok()) << index.status().toString();
  OffersByGroup offers = offersByGroup(**index);

  const std::map<std::string, uint64_t> expected = teachingResourcesByRegion();
  ASSERT_FALSE(expected.empty());
  std::map<std::string, uint64_t> got;
  for (const GroupOffers& row : offers.rows) {
    EXPECT_EQ(row.group, "http://data.europa.eu/esco/skill/match-group-care");
    EXPECT_EQ(row.label, "caring for patients");
    got[row.region] += row.resources;
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(
      offers.resources_without_group, (*index)->resources().size() - [&] {
        uint64_t n = 0;
        for (const auto& [region, count] : expected) n += count;
        return n;
      }());
}

TEST(OffersByGroupTest, AnEmptyStoreHasNoRows) {
  eichub::testing::TempDir dir;
  auto store = testing::openStore(dir.path());
  auto index = MatchIndex::build(*store);
  ASSERT_TRUE(index.ok());
  OffersByGroup offers = offersByGroup(**index);
  EXPECT_TRUE(offers.rows.empty());
  EXPECT_EQ(offers.resources_without_group, 0u);
}

}  // namespace
}  // namespace eichub::match
