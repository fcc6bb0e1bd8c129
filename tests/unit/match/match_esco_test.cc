// Matching, gaps and align on the real ESCO v1.1.1 export (../shared/data/esco), imported by
// the real importer into a real store, with learning resources generated from its skills.
// Skipped when the shared data is absent.
#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "node/catalog/record_json.h"
#include "node/import/esco_importer.h"
#include "node/match/aligner.h"
#include "node/match/gaps.h"
#include "node/match/matcher.h"
#include "tests/unit/match/match_fixture.h"

namespace eichub::match {
namespace {

// What the test needs to know of ESCO, read from the importer's records (not from the index
// under test).
struct Esco {
  std::map<std::string, std::vector<std::string>> broader;  // skill -> broader skills/groups
  std::map<std::string, std::vector<std::string>> narrower;
  std::map<std::string, std::vector<std::string>> related;
  std::map<std::string, std::string> pref_en;  // skill -> English label
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, bool>>>> occupations;
};

class EscoMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = eichub::testing::sharedDataDir() + "/esco";
    if (eichub::testing::sharedDataDir().empty() || !std::filesystem::exists(dir)) {
      GTEST_SKIP() << "../shared/data/esco is absent: real-ESCO match tests skipped";
    }
    auto imported = import::importEsco(dir);
    ASSERT_TRUE(imported.ok()) << imported.status().toString();
    for (const catalog::Change& change : imported->changes) {
      auto reader = catalog::RecordReader::open(change.body).value();
      auto record = reader->root();
      if (record.isSkill()) {
        auto s = record.getSkill();
        std::string uri = s.getUri().cStr();
        for (auto b : s.getBroader()) {
          esco_.broader[uri].emplace_back(b.cStr());
          esco_.narrower[b.cStr()].push_back(uri);
        }
        for (auto r : s.getRelated()) {
          esco_.related[uri].emplace_back(r.getSkill().cStr());
          esco_.related[r.getSkill().cStr()].push_back(uri);
        }
        for (auto t : s.getPrefLabel()) {
          if (t.getLang() == "en") esco_.pref_en[uri] = t.getText().cStr();
        }
      } else if (record.isSkillGroup()) {
        for (auto b : record.getSkillGroup().getBroader()) {
          esco_.narrower[b.cStr()].emplace_back(record.getSkillGroup().getUri().cStr());
        }
      } else if (record.isOccupation()) {
        std::vector<std::pair<std::string, bool>> skills;
        for (auto ref : record.getOccupation().getSkills()) {
          skills.emplace_back(ref.getSkill().cStr(),
                              ref.getRelation() == schema::Relation::ESSENTIAL);
        }
        esco_.occupations.emplace_back(record.getOccupation().getUri().cStr(), skills);
      }
    }
    auto summary =
        publish::publishChanges(*store_, esco_key_, testing::kNetwork, imported->changes);
    ASSERT_TRUE(summary.ok()) << summary.status().toString();
  }

  // Publishes resources: (id, taught skill uris).
  void publishResources(const std::vector<std::pair<std::string, std::vector<std::string>>>& rs) {
    std::vector<catalog::Change> changes;
    for (const auto& [id, skills] : rs) {
      nlohmann::json teaches = nlohmann::json::array();
      for (const std::string& s : skills)
        teaches.push_back({{"skill", s}, {"relation", "essential"}});
      nlohmann::json obj = {{"kind", "LearningResource"},
                            {"id", id},
                            {"title", {{"en", "Course " + id}}},
                            {"teaches", teaches}};
      changes.push_back(catalog::changeFromJson(obj).value());
    }
    ASSERT_TRUE(publish::publishChanges(*store_, provider_key_, testing::kNetwork, changes).ok());
  }

  // True when a and b are linked the way matching credits: one is within three levels below the
  // other, or they are related.
  bool linked(const std::string& a, const std::string& b) const {
    auto below = [this](const std::string& top, const std::string& x) {
      std::set<std::string> level = {top};
      for (int depth = 0; depth < 3; ++depth) {
        std::set<std::string> next;
        for (const std::string& s : level) {
          auto it = esco_.narrower.find(s);
          if (it != esco_.narrower.end()) next.insert(it->second.begin(), it->second.end());
        }
        if (next.count(x)) return true;
        level = std::move(next);
      }
      return false;
    };
    auto rel = esco_.related.find(a);
    bool related = rel != esco_.related.end() &&
                   std::find(rel->second.begin(), rel->second.end(), b) != rel->second.end();
    return related || below(a, b) || below(b, a);
  }

  eichub::testing::TempDir dir_;
  std::unique_ptr<store::CatalogStore> store_ = testing::openStore(dir_.path());
  crypto::SigningKey esco_key_ = crypto::SigningKey::generate().value();
  crypto::SigningKey provider_key_ = crypto::SigningKey::generate().value();
  Esco esco_;
};

TEST_F(EscoMatchTest, OccupationNeedRanksEssentialSkillsBeforeOptionalOnes) {
  // The first occupation with at least three essential and three optional skills, none of
  // which the hierarchy or a relation links to a skill of the other kind.
  const std::pair<std::string, std::vector<std::pair<std::string, bool>>>* chosen = nullptr;
  for (const auto& occupation : esco_.occupations) {
    std::vector<std::string> essential, optional;
    for (const auto& [uri, is_essential] : occupation.second) {
      (is_essential ? essential : optional).push_back(uri);
    }
    if (essential.size() < 3 || optional.size() < 3) continue;
    bool separate = true;
    for (const std::string& e : essential) {
      for (const std::string& o : optional) separate = separate && !linked(e, o);
    }
    if (separate) {
      chosen = &occupation;
      break;
    }
  }
  ASSERT_NE(chosen, nullptr);
  std::vector<std::pair<std::string, std::vector<std::string>>> resources;
  for (size_t i = 0; i < chosen->second.size(); ++i) {
    const auto& [uri, essential] = chosen->second[i];
    resources.push_back({(essential ? "ess/" : "opt/") + std::to_string(i), {uri}});
  }
  publishResources(resources);
  auto index = MatchIndex::build(*store_).value();
  MatchQuery query;
  query.occupation = chosen->first;
  query.limit = kMaxResults;
  query.cover_size = kMaxCoverSize;
  auto answer = match(*index, query);
  ASSERT_TRUE(answer.ok()) << answer.status().toString();
  size_t last_essential = 0, first_optional = answer->offers.size(), essentials = 0;
  for (size_t i = 0; i < answer->offers.size(); ++i) {
    const std::string& id = answer->offers[i].key.id;
    if (id.rfind("ess/", 0) == 0) {
      last_essential = i;
      ++essentials;
    }
    if (id.rfind("opt/", 0) == 0) first_optional = std::min(first_optional, i);
  }
  EXPECT_EQ(answer->offers.size(), resources.size());
  EXPECT_GT(essentials, 0u);
  EXPECT_LT(last_essential, first_optional) << chosen->first;
  EXPECT_TRUE(answer->uncovered.empty());
}

TEST_F(EscoMatchTest, CourseOnANarrowerSkillMatchesTheBroaderNeed) {
  // The first skill (uri order) whose broader concept is itself a skill.
  std::string narrow, broad;
  for (const auto& [uri, parents] : esco_.broader) {
    for (const std::string& p : parents) {
      if (esco_.pref_en.count(p)) {
        narrow = uri;
        broad = p;
        break;
      }
    }
    if (!narrow.empty()) break;
  }
  ASSERT_FALSE(narrow.empty());
  publishResources({{"narrow-course", {narrow}}});
  auto index = MatchIndex::build(*store_).value();
  MatchQuery query;
  query.skills = {broad};
  auto answer = match(*index, query);
  ASSERT_TRUE(answer.ok()) << answer.status().toString();
  ASSERT_EQ(answer->offers.size(), 1u);
  const MatchReason& why = answer->offers[0].reasons.at(0);
  EXPECT_EQ(why.via, Via::kNarrower);
  EXPECT_EQ(why.depth, 1);
  EXPECT_EQ(why.taught_skill, narrow);
  EXPECT_EQ(why.need_skill, broad);
  // The other way round earns nothing: a broad course does not teach the narrow skill.
  query.skills = {narrow};
  publishResources({{"narrow-course", {broad}}});
  auto reversed = match(*MatchIndex::build(*store_).value(), query);
  ASSERT_TRUE(reversed.ok());
  for (const RankedOffer& o : reversed->offers) EXPECT_NE(o.reasons.at(0).via, Via::kNarrower);
}

TEST_F(EscoMatchTest, CoverSetCoversAndUncoveredReallyHaveNoOffer) {
  // Resources on random skills of ten occupations, then each occupation's need.
  std::mt19937 rng(20261127);
  std::vector<std::string> all_skills;
  for (const auto& [uri, label] : esco_.pref_en) all_skills.push_back(uri);
  std::vector<std::pair<std::string, std::vector<std::string>>> resources;
  std::map<std::string, std::vector<std::string>> taught_by;
  for (int i = 0; i < 3000; ++i) {
    std::vector<std::string> skills;
    for (int k = 0; k < 3; ++k) skills.push_back(all_skills[rng() % all_skills.size()]);
    std::sort(skills.begin(), skills.end());
    skills.erase(std::unique(skills.begin(), skills.end()), skills.end());
    std::string id = "random/" + std::to_string(i);
    for (const std::string& s : skills) taught_by[id].push_back(s);
    resources.push_back({id, skills});
  }
  publishResources(resources);
  auto index = MatchIndex::build(*store_).value();
  for (size_t o = 0; o < esco_.occupations.size(); o += esco_.occupations.size() / 10) {
    MatchQuery query;
    query.occupation = esco_.occupations[o].first;
    query.cover_size = kMaxCoverSize;
    auto answer = match(*index, query);
    ASSERT_TRUE(answer.ok()) << answer.status().toString();
    auto covers = [&](const std::string& resource, const std::string& need) {
      for (const std::string& t : taught_by[resource]) {
        if (t == need) return true;
        auto b = esco_.broader.find(t);
        if (b != esco_.broader.end() &&
            std::find(b->second.begin(), b->second.end(), need) != b->second.end()) {
          return true;
        }
      }
      return false;
    };
    std::set<std::string> covered;
    for (const CoverPick& pick : answer->cover) {
      EXPECT_FALSE(pick.covers.empty());
      for (const std::string& need : pick.covers) {
        EXPECT_TRUE(covers(pick.key.id, need)) << pick.key.id << " " << need;
        covered.insert(need);
      }
    }
    for (const std::string& need : answer->uncovered) {
      EXPECT_FALSE(covered.count(need));
      for (const auto& [id, skills] : resources) EXPECT_FALSE(covers(id, need)) << id << need;
    }
    EXPECT_EQ(covered.size() + answer->uncovered.size(), answer->need.size());
  }
}

TEST_F(EscoMatchTest, GapsListExactlyTheNeededSkillsWithNoOffer) {
  std::mt19937 rng(7);
  std::vector<std::string> all_skills;
  for (const auto& [uri, label] : esco_.pref_en) all_skills.push_back(uri);
  std::vector<std::string> needed;
  for (int i = 0; i < 40; ++i) needed.push_back(all_skills[rng() % all_skills.size()]);
  std::vector<std::pair<std::string, std::vector<std::string>>> resources;
  std::set<std::string> taught;
  for (size_t i = 0; i < needed.size(); i += 2) {  // every other needed skill gets a course
    resources.push_back({"gap-course/" + std::to_string(i), {needed[i]}});
    taught.insert(needed[i]);
  }
  publishResources(resources);
  std::vector<catalog::Change> needs;
  for (size_t i = 0; i < needed.size(); i += 10) {
    nlohmann::json skills(std::vector<std::string>(needed.begin() + static_cast<long>(i),
                                                   needed.begin() + static_cast<long>(i + 10)));
    needs.push_back(catalog::changeFromJson({{"kind", "SkillNeed"},
                                             {"id", "need/" + std::to_string(i)},
                                             {"skills", skills},
                                             {"region", "UKE42"},
                                             {"sector", "healthcare"},
                                             {"headcount", 5}})
                        .value());
  }
  ASSERT_TRUE(publish::publishChanges(*store_, provider_key_, testing::kNetwork, needs).ok());

  // Expected: needed skills that no course teaches, itself or through a skill one level down.
  std::set<std::string> expected;
  for (const std::string& s : needed) {
    bool offered = taught.count(s) > 0;
    auto kids = esco_.narrower.find(s);
    if (kids != esco_.narrower.end()) {
      for (const std::string& k : kids->second) offered = offered || taught.count(k) > 0;
    }
    if (!offered) expected.insert(s);
  }
  auto index = MatchIndex::build(*store_).value();
  GapQuery query;
  query.region = "UKE42";
  query.max_offers = 0;
  auto report = gaps(*index, query);
  ASSERT_TRUE(report.ok()) << report.status().toString();
  std::set<std::string> got;
  for (const GapEntry& g : report->gaps) {
    got.insert(g.skill);
    EXPECT_EQ(g.offers, 0u);
    EXPECT_GE(g.demand, 5u);
  }
  EXPECT_EQ(got, expected);
  EXPECT_FALSE(expected.empty());
}

TEST_F(EscoMatchTest, AlignFindsTheSkillATitleNamesAndNothingInUnrelatedText) {
  auto aligner = Aligner::build(*store_).value();
  EXPECT_GT(aligner->stats().labels, esco_.pref_en.size());
  size_t tried = 0, found = 0;
  std::vector<std::string> misses;
  size_t i = 0;
  for (const auto& [uri, label] : esco_.pref_en) {
    if (i++ % 97 != 0) continue;
    ++tried;
    AlignInput input;
    input.id = "t";
    input.title = {{"en", label}};
    auto answer = aligner->align(input, {});
    ASSERT_TRUE(answer.ok());
    bool hit = std::any_of(answer->suggestions.begin(), answer->suggestions.end(),
                           [&uri = uri](const SkillSuggestion& s) { return s.skill == uri; });
    if (hit) {
      ++found;
    } else {
      misses.push_back(label);
    }
  }
  // A title that is a skill's preferred label finds that skill, but for labels that other
  // skills share word for word (then five others may rank first).
  EXPECT_GE(found * 100, tried * 95)
      << found << "/" << tried << ", e.g. " << (misses.empty() ? "" : misses[0]);
  for (const char* text :
       {"Lorem ipsum dolor sit amet, consectetur adipiscing elit", "Zxqv wwrt plonk"}) {
    AlignInput input;
    input.title = {{"en", text}};
    auto answer = aligner->align(input, {});
    ASSERT_TRUE(answer.ok());
    EXPECT_TRUE(answer->suggestions.empty()) << text << ": " << answer->suggestions[0].skill;
    EXPECT_LT(answer->best_score, kDefaultMinScore) << text;
  }
}

}  // namespace
}  // namespace eichub::match
