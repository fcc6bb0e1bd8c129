// Tests for the gap report on the mini federation: demand per region and sector, offers, the
// "no offer" list, limits, CSV and bad input.
#include "node/match/gaps.h"

#include "node/match/match_json.h"
#include "tests/unit/match/match_fixture.h"

namespace eichub::match {
namespace {

using testing::skill;

class GapsTest : public ::testing::Test {
 protected:
  void SetUp() override { index_ = MatchIndex::build(*mini_.store).value(); }

  GapReport run(GapQuery query) {
    auto report = gaps(*index_, query);
    EXPECT_TRUE(report.ok()) << report.status().toString();
    return report.ok() ? std::move(report).value() : GapReport{};
  }
  static const GapEntry* find(const GapReport& report, const std::string& uri) {
    for (const GapEntry& g : report.gaps) {
      if (g.skill == uri) return &g;
    }
    return nullptr;
  }

  testing::MiniStore mini_;
  std::unique_ptr<MatchIndex> index_;
};

TEST_F(GapsTest, ListsExactlyTheNeededSkillsWithNoOffer) {
  GapQuery query;
  query.region = "UKE42";
  query.max_offers = 0;
  GapReport report = run(query);
  EXPECT_EQ(report.needs_read, 2u);
  // Leeds needs wound care and documentation, and the assistant's essential skills (wound care,
  // medication); only documentation has no course.
  EXPECT_EQ(report.skills_needed, 3u);
  ASSERT_EQ(report.gaps.size(), 1u);
  EXPECT_EQ(report.gaps[0].skill, skill("documentation"));
  EXPECT_EQ(report.gaps[0].label, "document patient care");
  EXPECT_EQ(report.gaps[0].demand, 12u);
  EXPECT_EQ(report.gaps[0].offers, 0u);
}

TEST_F(GapsTest, DemandIsWeightedByHeadcountAndOffersCounted) {
  GapQuery query;
  query.max_offers = 100;
  GapReport report = run(query);
  EXPECT_EQ(report.needs_read, 3u);
  const GapEntry* wound = find(report, skill("wound-care"));
  ASSERT_NE(wound, nullptr);
  EXPECT_EQ(wound->demand, 12u + 3u);  // both Leeds needs
  EXPECT_EQ(wound->needs, 2u);
  // wound-basics, meds-and-wounds teach it; dressing teaches a skill one level narrower.
  EXPECT_EQ(wound->offers, 3u);
  EXPECT_EQ(wound->offers_in_region, 1u);  // only wound-basics is in UKE42
  // Bremen's need states no headcount: it counts one.
  GapQuery bremen;
  bremen.sector = "construction";
  bremen.max_offers = 100;
  GapReport b = run(bremen);
  ASSERT_EQ(b.gaps.size(), 1u);
  EXPECT_EQ(b.gaps[0].demand, 1u);
  EXPECT_EQ(b.gaps[0].region, "DE501");
  EXPECT_EQ(b.gaps[0].offers, 2u);            // meds, meds-and-wounds
  EXPECT_EQ(b.gaps[0].offers_in_region, 1u);  // meds-and-wounds is in DE501
}

TEST_F(GapsTest, FewestOffersFirstThenMostDemand) {
  GapQuery query;
  query.region = "UKE42";
  query.max_offers = 100;
  GapReport report = run(query);
  ASSERT_EQ(report.gaps.size(), 3u);
  for (size_t i = 1; i < report.gaps.size(); ++i) {
    EXPECT_LE(report.gaps[i - 1].offers, report.gaps[i].offers);
  }
  query.limit = 2;
  GapReport cut = run(query);
  EXPECT_EQ(cut.gaps.size(), 2u);
  EXPECT_TRUE(cut.truncated);
}

TEST_F(GapsTest, EmptyReportsSayWhy) {
  GapQuery query;
  query.region = "FR101";
  GapReport report = run(query);
  EXPECT_TRUE(report.gaps.empty());
  EXPECT_EQ(report.needs_read, 0u);
  EXPECT_FALSE(report.note.empty());
}

TEST_F(GapsTest, BadInputGivesAClearError) {
  GapQuery query;
  query.region = "leeds";
  EXPECT_EQ(gaps(*index_, query).status().code(), Status::Code::kInvalidArgument);
  query.region = "";
  query.limit = 0;
  EXPECT_EQ(gaps(*index_, query).status().code(), Status::Code::kInvalidArgument);
  query.limit = kMaxGapEntries + 1;
  EXPECT_EQ(gaps(*index_, query).status().code(), Status::Code::kInvalidArgument);
  query.limit = kMaxGapEntries;
  EXPECT_TRUE(gaps(*index_, query).ok());
}

TEST_F(GapsTest, CsvAndJsonCarryEveryRow) {
  GapQuery query;
  query.max_offers = 100;
  GapReport report = run(query);
  std::string csv = gapsToCsv(report);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "region,sector,skill,label,demand,needs,offers,offers_in_region");
  EXPECT_EQ(static_cast<size_t>(std::count(csv.begin(), csv.end(), '\n')), report.gaps.size() + 1);
  EXPECT_NE(
      csv.find("UKE42,healthcare," + skill("documentation") + ",document patient care,12,1,0,0"),
      std::string::npos)
      << csv;
  nlohmann::json doc = toJson(report);
  EXPECT_EQ(doc["gaps"].size(), report.gaps.size());
  EXPECT_EQ(doc["needs_read"], 3);
}

}  // namespace
}  // namespace eichub::match
