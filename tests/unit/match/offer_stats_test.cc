// Tests for offers per skill group and region on the mini federation.
#include "node/match/offer_stats.h"

#include "node/match/match_json.h"
#include "tests/unit/match/match_fixture.h"

namespace eichub::match {
namespace {

TEST(OfferStatsTest, CountsEachResourceOnceUnderItsGroupPerRegion) {
  testing::MiniStore mini;
  auto index = MatchIndex::build(*mini.store).value();
  auto counts = offersPerGroupAndRegion(*index, 0);
  ASSERT_TRUE(counts.ok()) << counts.status().toString();
  std::map<std::string, uint64_t> by_region;
  for (const GroupRegionCount& c : *counts) {
    EXPECT_EQ(c.group, testing::skill("group-care"));
    EXPECT_EQ(c.label, "caring for patients");
    by_region[c.region] = c.resources;
  }
  // meds-and-wounds teaches two skills of the group and counts once; the office course teaches
  // nothing and counts nowhere.
  EXPECT_EQ(by_region, (std::map<std::string, uint64_t>{
                           {"DE501", 2}, {"NO081", 1}, {"UKE", 1}, {"UKE42", 2}}));
  EXPECT_EQ(toJson(*counts)["offers_per_group_and_region"].size(), 4u);
  // The mini hierarchy has one level of groups.
  EXPECT_TRUE(offersPerGroupAndRegion(*index, 1).value().empty());
  EXPECT_TRUE(offersPerGroupAndRegion(*index, kMaxGroupLevel).ok());
  EXPECT_FALSE(offersPerGroupAndRegion(*index, kMaxGroupLevel + 1).ok());
  EXPECT_FALSE(offersPerGroupAndRegion(*index, -1).ok());
}

}  // namespace
}  // namespace eichub::match
