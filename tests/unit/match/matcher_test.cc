// Tests for matching on the hand-written mini federation: hierarchy credit, occupation weights,
// every filter, the cover set, bad input, and identical answers whatever order feeds arrived in.
#include "node/match/matcher.h"

#include <algorithm>
#include <set>

#include "federation/feed/verify.h"
#include "node/match/match_json.h"
#include "tests/unit/match/match_fixture.h"

namespace eichub::match {
namespace {

using testing::skill;

class MatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto built = MatchIndex::build(*mini_.store);
    ASSERT_TRUE(built.ok()) << built.status().toString();
    index_ = std::move(built).value();
  }

  MatchAnswer run(MatchQuery query) {
    auto answer = match(*index_, query);
    EXPECT_TRUE(answer.ok()) << answer.status().toString();
    return answer.ok() ? std::move(answer).value() : MatchAnswer{};
  }
  MatchAnswer runSkills(std::vector<std::string> skills, MatchFilters filters = {}) {
    MatchQuery query;
    query.skills = std::move(skills);
    query.filters = std::move(filters);
    return run(query);
  }
  static std::vector<std::string> ids(const MatchAnswer& answer) {
    std::vector<std::string> out;
    for (const RankedOffer& o : answer.offers) out.push_back(o.key.id);
    return out;
  }
  static const RankedOffer* find(const MatchAnswer& answer, const std::string& id) {
    for (const RankedOffer& o : answer.offers) {
      if (o.key.id == id) return &o;
    }
    return nullptr;
  }

  testing::MiniStore mini_;
  std::unique_ptr<MatchIndex> index_;
};

TEST_F(MatcherTest, IndexHoldsEveryRecordKind) {
  EXPECT_EQ(index_->stats().skills, 7u);  // six skills and one group
  EXPECT_EQ(index_->stats().occupations, 1u);
  EXPECT_EQ(index_->stats().resources, 7u);
  EXPECT_EQ(index_->stats().needs, 3u);
  EXPECT_EQ(index_->stats().unreadable, 0u);
  EXPECT_TRUE(index_->isCurrent(*mini_.store).value());
}

TEST_F(MatcherTest, IndexIsStaleOnceTheStoreChanges) {
  crypto::SigningKey oslo = crypto::SigningKey::generate().value();
  testing::publishFile(*mini_.store, oslo, testing::miniFile("bremen.jsonl"));
  EXPECT_FALSE(index_->isCurrent(*mini_.store).value());
  auto rebuilt = MatchIndex::build(*mini_.store);
  ASSERT_TRUE(rebuilt.ok());
  EXPECT_EQ((*rebuilt)->stats().resources, 10u);
  EXPECT_TRUE((*rebuilt)->isCurrent(*mini_.store).value());
}

TEST_F(MatcherTest, ExactBeatsNarrowerBeatsDeeperAndRelated) {
  MatchAnswer answer = runSkills({skill("wound-care")});
  ASSERT_EQ(answer.need.size(), 1u);
  const RankedOffer* exact = find(answer, "leeds/wound-basics");
  const RankedOffer* narrower = find(answer, "bremen/dressing");
  const RankedOffer* deeper = find(answer, "bremen/bandage");
  const RankedOffer* related = find(answer, "leeds/hygiene");
  ASSERT_TRUE(exact && narrower && deeper && related);
  EXPECT_DOUBLE_EQ(exact->score, kExactCredit);
  EXPECT_DOUBLE_EQ(narrower->score, kNarrowerCredit);
  EXPECT_DOUBLE_EQ(deeper->score, kNarrowerCredit * kNarrowerCredit);
  EXPECT_DOUBLE_EQ(related->score, kRelatedCredit);
  EXPECT_EQ(narrower->reasons.at(0).via, Via::kNarrower);
  EXPECT_EQ(narrower->reasons.at(0).depth, 1);
  EXPECT_EQ(narrower->reasons.at(0).taught_skill, skill("dress-wounds"));
  EXPECT_EQ(deeper->reasons.at(0).depth, 2);
  EXPECT_EQ(related->reasons.at(0).via, Via::kRelated);
  EXPECT_EQ(find(answer, "leeds/office"), nullptr);
  EXPECT_EQ(find(answer, "leeds/meds"), nullptr);
  // Scores never rise down the list; equal scores keep record key order.
  for (size_t i = 1; i < answer.offers.size(); ++i) {
    const RankedOffer& a = answer.offers[i - 1];
    const RankedOffer& b = answer.offers[i];
    EXPECT_TRUE(a.score > b.score || (a.score == b.score && a.key < b.key)) << i;
  }
}

TEST_F(MatcherTest, NeedForAGroupFindsItsSkills) {
  MatchAnswer answer = runSkills({skill("group-care")});
  const RankedOffer* meds = find(answer, "leeds/meds");
  ASSERT_NE(meds, nullptr);
  EXPECT_DOUBLE_EQ(meds->score, kNarrowerCredit);
  EXPECT_EQ(answer.candidates, 6u);  // everything but the office course
}

TEST_F(MatcherTest, OccupationEssentialSkillsRankBeforeOptionalOnes) {
  MatchQuery query;
  query.occupation = testing::kAssistant;
  MatchAnswer answer = run(query);
  ASSERT_EQ(answer.need.size(), 4u);
  EXPECT_EQ(answer.need[0].relation, "essential");
  EXPECT_EQ(answer.need[3].relation, "optional");
  EXPECT_DOUBLE_EQ(answer.need[3].weight, kOptionalWeight);
  const RankedOffer* wound = find(answer, "leeds/wound-basics");  // essential wound care
  const RankedOffer* hygiene = find(answer, "leeds/hygiene");     // optional hygiene
  ASSERT_TRUE(wound && hygiene);
  EXPECT_GT(wound->score, hygiene->score);
  // Both essential skills in one course beat either alone.
  EXPECT_EQ(answer.offers.at(0).key.id, "bremen/meds-and-wounds");
}

TEST_F(MatcherTest, FiltersExcludeWhatTheyShould) {
  const std::vector<std::string> need = {skill("wound-care"), skill("medication"),
                                         skill("hygiene")};
  auto with = [&](auto set) {
    MatchFilters f;
    set(f);
    auto got = ids(runSkills(need, f));
    return std::set<std::string>(got.begin(), got.end());
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(with([](MatchFilters& f) { f.lang = "de"; }), Ids{"bremen/bandage"});
  EXPECT_EQ(with([](MatchFilters& f) { f.mode = Mode::kOnsite; }),
            (Ids{"bremen/dressing", "leeds/meds"}));
  EXPECT_EQ(with([](MatchFilters& f) { f.region = "UKE"; }),
            (Ids{"leeds/wound-basics", "leeds/hygiene", "leeds/meds"}));
  EXPECT_EQ(with([](MatchFilters& f) { f.region = "UKE42"; }),
            (Ids{"leeds/wound-basics", "leeds/hygiene", "leeds/meds"}));
  EXPECT_EQ(with([](MatchFilters& f) { f.max_eqf = 3; }), Ids{"bremen/dressing"});
  EXPECT_EQ(with([](MatchFilters& f) { f.min_eqf = 5; }), (Ids{"bremen/bandage", "leeds/meds"}));
  EXPECT_EQ(with([](MatchFilters& f) {
              f.max_price_cents = 15000;
              f.currency = "EUR";
            }),
            (Ids{"leeds/wound-basics", "bremen/dressing"}));  // free, and 120 EUR
  EXPECT_EQ(with([](MatchFilters& f) {
              f.max_price_cents = 10000;
              f.currency = "GBP";
            }),
            (Ids{"leeds/wound-basics", "bremen/bandage"}));
  EXPECT_EQ(with([](MatchFilters& f) { f.valid_on = "2025-03-01"; }),
            (Ids{"leeds/hygiene", "leeds/meds", "bremen/dressing", "bremen/bandage",
                 "bremen/meds-and-wounds"}));
  EXPECT_EQ(with([](MatchFilters& f) { f.valid_on = "2026-12-31"; }).count("leeds/wound-basics"),
            1u);
  EXPECT_EQ(with([](MatchFilters& f) { f.valid_on = "2027-01-01"; }).count("leeds/wound-basics"),
            0u);
}

TEST_F(MatcherTest, FilteredOutEverythingSaysWhy) {
  MatchFilters f;
  f.lang = "fi";
  MatchAnswer answer = runSkills({skill("wound-care")}, f);
  EXPECT_TRUE(answer.offers.empty());
  EXPECT_NE(answer.note.find("filters"), std::string::npos) << answer.note;
  answer = runSkills({skill("documentation")});
  EXPECT_TRUE(answer.offers.empty());
  EXPECT_NE(answer.note.find("no resource teaches"), std::string::npos) << answer.note;
  EXPECT_EQ(answer.uncovered, std::vector<std::string>{skill("documentation")});
}

TEST_F(MatcherTest, CoverSetCoversEveryCoverableSkill) {
  const std::vector<std::string> need = {skill("wound-care"), skill("medication"), skill("hygiene"),
                                         skill("documentation")};
  MatchAnswer answer = runSkills(need);
  // meds-and-wounds covers two skills at once, so greedy takes it first, then hygiene.
  ASSERT_EQ(answer.cover.size(), 2u);
  EXPECT_EQ(answer.cover[0].key.id, "bremen/meds-and-wounds");
  EXPECT_EQ(answer.cover[1].key.id, "leeds/hygiene");
  EXPECT_EQ(answer.uncovered, std::vector<std::string>{skill("documentation")});
  // Check each claimed cover against what the resource really teaches (itself or one level
  // narrower), and that nothing is claimed twice.
  std::set<std::string> claimed;
  for (const CoverPick& pick : answer.cover) {
    const ResourceEntry& r = index_->resources()[pick.resource];
    for (const std::string& need_uri : pick.covers) {
      EXPECT_TRUE(claimed.insert(need_uri).second) << need_uri;
      bool teaches = false;
      for (SkillId t : r.teaches) {
        const SkillNode& node = index_->graph().node(t);
        teaches = teaches || node.uri == need_uri;
        for (SkillId parent : node.broader) {
          teaches = teaches || index_->graph().node(parent).uri == need_uri;
        }
      }
      EXPECT_TRUE(teaches) << pick.key.id << " does not teach " << need_uri;
    }
  }
  EXPECT_EQ(claimed.size() + answer.uncovered.size(), need.size());
}

TEST_F(MatcherTest, CoverSizeIsALimit) {
  MatchQuery query;
  query.skills = {skill("wound-care"), skill("medication"), skill("hygiene")};
  query.cover_size = 1;
  MatchAnswer answer = run(query);
  ASSERT_EQ(answer.cover.size(), 1u);
  EXPECT_EQ(answer.uncovered, std::vector<std::string>{skill("hygiene")});
  query.cover_size = kMaxCoverSize;
  EXPECT_TRUE(run(query).uncovered.empty());
  query.cover_size = kMaxCoverSize + 1;
  EXPECT_EQ(match(*index_, query).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(MatcherTest, ResultLimitHoldsAndIsBounded) {
  MatchQuery query;
  query.skills = {skill("group-care")};
  query.limit = 2;
  EXPECT_EQ(run(query).offers.size(), 2u);
  query.limit = kMaxResults;
  EXPECT_EQ(run(query).offers.size(), 6u);
  query.limit = kMaxResults + 1;
  EXPECT_EQ(match(*index_, query).status().code(), Status::Code::kInvalidArgument);
  query.limit = 0;
  EXPECT_EQ(match(*index_, query).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(MatcherTest, UnknownSkillsAreReportedNotMatched) {
  const std::string ghost = "http://data.europa.eu/esco/skill/no-such-skill";
  MatchAnswer answer = runSkills({skill("medication"), ghost});
  EXPECT_EQ(answer.unknown_skills, std::vector<std::string>{ghost});
  EXPECT_EQ(answer.need.size(), 1u);
  EXPECT_FALSE(answer.offers.empty());
  answer = runSkills({ghost});
  EXPECT_TRUE(answer.offers.empty());
  EXPECT_FALSE(answer.note.empty());
}

TEST_F(MatcherTest, BadInputGivesAClearError) {
  MatchQuery empty;
  auto result = match(*index_, empty);
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(result.status().message().find("empty need"), std::string::npos);

  MatchQuery occupation;
  occupation.occupation = "http://data.europa.eu/esco/occupation/none";
  EXPECT_EQ(match(*index_, occupation).status().code(), Status::Code::kNotFound);

  MatchQuery blank;
  blank.skills = {""};
  EXPECT_EQ(match(*index_, blank).status().code(), Status::Code::kInvalidArgument);

  MatchQuery at_limit;
  for (size_t i = 0; i < kMaxNeedSkills; ++i) at_limit.skills.push_back(skill(std::to_string(i)));
  EXPECT_TRUE(match(*index_, at_limit).ok());
  at_limit.skills.push_back(skill("one-more"));
  EXPECT_EQ(match(*index_, at_limit).status().code(), Status::Code::kInvalidArgument);

  std::vector<std::function<void(MatchFilters&)>> absurd = {
      [](MatchFilters& f) { f.max_eqf = 9; },
      [](MatchFilters& f) { f.min_eqf = 200; },
      [](MatchFilters& f) {
        f.min_eqf = 6;
        f.max_eqf = 2;
      },
      [](MatchFilters& f) { f.lang = "English"; },
      [](MatchFilters& f) { f.region = "uke42"; },
      [](MatchFilters& f) { f.region = "UKE42X"; },
      [](MatchFilters& f) { f.valid_on = "2025-02-30"; },
      [](MatchFilters& f) { f.valid_on = "tomorrow"; },
      [](MatchFilters& f) { f.max_price_cents = 100; },
      [](MatchFilters& f) { f.mode = Mode::kUnspecified; },
  };
  for (size_t i = 0; i < absurd.size(); ++i) {
    MatchQuery query;
    query.skills = {skill("medication")};
    absurd[i](query.filters);
    EXPECT_EQ(match(*index_, query).status().code(), Status::Code::kInvalidArgument) << i;
  }
}

// The updates of every feed in from, verified as a peer's would be.
std::vector<std::vector<feed::VerifiedUpdate>> feedsOf(const store::CatalogStore& from) {
  std::vector<std::vector<feed::VerifiedUpdate>> out;
  auto feeds = from.queries().feeds();
  EICHUB_CHECK(feeds.ok());
  for (const store::FeedInfo& info : *feeds) {
    std::vector<feed::VerifiedUpdate> updates;
    auto held = from.queries().readFeed(info.author, 1, info.head.seq, 1000);
    EICHUB_CHECK(held.ok());
    for (feed::SignedUpdate& u : *held) {
      updates.push_back(feed::verifyUpdate(std::move(u), testing::kNetwork).value());
    }
    out.push_back(std::move(updates));
  }
  return out;
}

TEST_F(MatcherTest, ConvergedStoresGiveIdenticalAnswers) {
  auto feeds = feedsOf(*mini_.store);
  ASSERT_EQ(feeds.size(), 3u);
  eichub::testing::TempDir d1, d2;
  auto forward = testing::openStore(d1.path());
  auto backward = testing::openStore(d2.path());
  for (const auto& f : feeds) ASSERT_TRUE(forward->writer().apply(f).ok());
  // The other store gets the feeds in reverse, each in two halves interleaved.
  for (size_t half = 0; half < 2; ++half) {
    for (auto it = feeds.rbegin(); it != feeds.rend(); ++it) {
      size_t mid = it->size() / 2;
      std::vector<feed::VerifiedUpdate> part(it->begin() + (half == 0 ? 0 : mid),
                                             half == 0 ? it->begin() + mid : it->end());
      if (!part.empty()) {
        ASSERT_TRUE(backward->writer().apply(part).ok());
      }
    }
  }
  ASSERT_EQ(forward->queries().digest().value(), backward->queries().digest().value());
  MatchQuery query;
  query.occupation = testing::kAssistant;
  query.skills = {skill("group-care")};
  auto a = match(*MatchIndex::build(*forward).value(), query);
  auto b = match(*MatchIndex::build(*backward).value(), query);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->offers.empty());
  EXPECT_EQ(toJson(*a).dump(), toJson(*b).dump());
}

}  // namespace
}  // namespace eichub::match
