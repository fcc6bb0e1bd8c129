// Record texts and index terms: which fields are indexed, with which weight and language,
// which skill uris are collected, and the term limits.
#include "node/search/record_terms.h"

#include <algorithm>
#include <deque>
#include <string>

#include <capnp/message.h>
#include <gtest/gtest.h>

namespace eichub::search {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

void fill(capnp::List<schema::LangText>::Builder list, const Pairs& texts) {
  for (unsigned i = 0; i < texts.size(); ++i) {
    list[i].setLang(texts[i].first);
    list[i].setText(texts[i].second);
  }
}

const Term* find(const std::vector<Term>& terms, const std::string& token) {
  for (const Term& term : terms) {
    if (term.token == token) return &term;
  }
  return nullptr;
}

TEST(RecordTermsTest, SkillLabelsWithWeightsAndNoDescription) {
  capnp::MallocMessageBuilder message;
  auto skill = message.initRoot<schema::Record>().initSkill();
  fill(skill.initPrefLabel(2), {{"en", "wound care"}, {"de", "Wundversorgung"}});
  fill(skill.initAltLabels(2), {{"en", "care of wounds"}, {"en", "dressing"}});
  fill(skill.initDescription(1), {{"en", "zebra"}});
  auto texts = recordTexts(message.getRoot<schema::Record>().asReader());
  ASSERT_TRUE(texts.ok());
  ASSERT_EQ(texts->texts.size(), 4u);
  EXPECT_EQ(texts->texts[0].weight, kLabelWeight);
  EXPECT_EQ(texts->texts[1].lang, "de");
  EXPECT_EQ(texts->texts[2].weight, kAltLabelWeight);
  EXPECT_TRUE(texts->skills.empty());

  std::vector<Term> terms = indexTerms(*texts);
  EXPECT_TRUE(std::is_sorted(terms.begin(), terms.end()));
  EXPECT_EQ(find(terms, "zebra"), nullptr);
  ASSERT_NE(find(terms, "care"), nullptr);
  EXPECT_EQ(find(terms, "care")->weight, kLabelWeight);  // best of label and alt label
  EXPECT_EQ(find(terms, "care")->label_bytes, 10);       // "wound care"
  ASSERT_NE(find(terms, "dressing"), nullptr);
  EXPECT_EQ(find(terms, "dressing")->weight, kAltLabelWeight);
  EXPECT_EQ(find(terms, "dressing")->label_bytes, 8);
  EXPECT_NE(find(terms, "wundversorgung"), nullptr);

  EXPECT_TRUE(langTextsContain(*texts, "en", {"care", "dressing"}));
  EXPECT_FALSE(langTextsContain(*texts, "de", {"care"}));
  EXPECT_TRUE(langTextsContain(*texts, "DE", {"wundversorgung"}));
  EXPECT_FALSE(langTextsContain(*texts, "e", {"care"}));
}

TEST(RecordTermsTest, SkillsKeepTheFirstDistinctUrisUpToTheLimit) {
  // Duplicates of early uris and, past the limit, uris that sort before the kept ones.
  capnp::MallocMessageBuilder message;
  auto need = message.initRoot<schema::Record>().initSkillNeed();
  const unsigned count = static_cast<unsigned>(kMaxSkillsPerRecord) + 3;
  auto skills = need.initSkills(count);
  auto uri = [](size_t i) { return "uri:" + std::to_string(100000 + i); };
  for (unsigned i = 0; i + 3 < count; ++i) skills.set(i, i % 2 == 0 ? uri(i) : uri(i - 1));
  skills.set(count - 3, uri(kMaxSkillsPerRecord + 7));  // distinct number limit/2 + 1
  skills.set(count - 2, "uri:0");                       // sorts first
  skills.set(count - 1, "uri:1");
  auto texts = recordTexts(message.getRoot<schema::Record>().asReader()).value();
  std::vector<std::string> expected;
  for (size_t i = 0; i < kMaxSkillsPerRecord; i += 2) expected.push_back(uri(i));
  expected.push_back(uri(kMaxSkillsPerRecord + 7));
  expected.push_back("uri:0");
  expected.push_back("uri:1");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(std::vector<std::string>(texts.skills.begin(), texts.skills.end()), expected);

  // One more distinct uri than the limit: the last one seen is left out.
  capnp::MallocMessageBuilder over;
  auto many = over.initRoot<schema::Record>().initSkillNeed().initSkills(
      static_cast<unsigned>(kMaxSkillsPerRecord) + 1);
  for (unsigned i = 0; i < many.size(); ++i) many.set(i, uri(kMaxSkillsPerRecord - i));
  auto capped = recordTexts(over.getRoot<schema::Record>().asReader()).value();
  ASSERT_EQ(capped.skills.size(), kMaxSkillsPerRecord);
  EXPECT_EQ(capped.skills.front(), uri(1));
  EXPECT_EQ(capped.skills.back(), uri(kMaxSkillsPerRecord));
}

TEST(RecordTermsTest, LearningResourceTitlesKeywordsAndSkills) {
  capnp::MallocMessageBuilder message;
  auto lr = message.initRoot<schema::Record>().initLearningResource();
  fill(lr.initTitle(1), {{"en-GB", "Welding basics"}});
  fill(lr.initKeywords(1), {{"en", "metal"}});
  fill(lr.initDescription(1), {{"en", "long text"}});
  auto teaches = lr.initTeaches(3);
  teaches[0].setSkill("uri:b");
  teaches[1].setSkill("uri:a");
  teaches[2].setSkill("uri:b");
  auto texts = recordTexts(message.getRoot<schema::Record>().asReader()).value();
  ASSERT_EQ(texts.texts.size(), 2u);
  EXPECT_EQ(texts.skills, (std::vector<std::string_view>{"uri:a", "uri:b"}));
  EXPECT_TRUE(langTextsContain(texts, "en", {"welding", "metal"}));
  EXPECT_EQ(find(indexTerms(texts), "long"), nullptr);
}

TEST(RecordTermsTest, OccupationAndSkillNeedSkills) {
  capnp::MallocMessageBuilder m1;
  auto occ = m1.initRoot<schema::Record>().initOccupation();
  fill(occ.initPrefLabel(1), {{"en", "nurse"}});
  occ.initSkills(1)[0].setSkill("uri:care");
  auto t1 = recordTexts(m1.getRoot<schema::Record>().asReader()).value();
  EXPECT_EQ(t1.skills, std::vector<std::string_view>{"uri:care"});
  EXPECT_EQ(t1.texts.size(), 1u);

  capnp::MallocMessageBuilder m2;
  auto need = m2.initRoot<schema::Record>().initSkillNeed();
  auto skills = need.initSkills(2);
  skills.set(0, "uri:x");
  skills.set(1, "");
  fill(need.initNote(1), {{"en", "a note"}});
  auto t2 = recordTexts(m2.getRoot<schema::Record>().asReader()).value();
  EXPECT_EQ(t2.skills, std::vector<std::string_view>{"uri:x"});
  EXPECT_TRUE(t2.texts.empty());

  capnp::MallocMessageBuilder m3;
  fill(m3.initRoot<schema::Record>().initProvider().initName(1), {{"de", "Berufsschule"}});
  auto t3 = recordTexts(m3.getRoot<schema::Record>().asReader()).value();
  ASSERT_EQ(t3.texts.size(), 1u);
  EXPECT_EQ(t3.texts[0].weight, kLabelWeight);
}

TEST(RecordTermsTest, TermsPerRecordLimit) {
  std::deque<std::string> storage;  // IndexText holds views; a deque never moves its strings
  RecordTexts texts;
  const size_t per_text = 200;
  for (size_t t = 0; t * per_text <= kMaxTermsPerRecord; ++t) {
    std::string text;
    for (size_t i = 0; i < per_text; ++i) text += "t" + std::to_string(t * per_text + i) + " ";
    texts.texts.push_back({storage.emplace_back(std::move(text)), "en", kAltLabelWeight});
  }
  EXPECT_EQ(indexTerms(texts).size(), kMaxTermsPerRecord);
  RecordTexts exact;
  std::string text;
  for (size_t i = 0; i < 100; ++i) text += "u" + std::to_string(i) + " ";
  exact.texts.push_back({storage.emplace_back(std::move(text)), "en", kLabelWeight});
  EXPECT_EQ(indexTerms(exact).size(), 100u);
}

TEST(RecordTermsTest, TermsMergeBestWeightThenShortestLabel) {
  RecordTexts texts;
  texts.texts.push_back({"care of wounds", "en", kAltLabelWeight});
  texts.texts.push_back({"wound care", "en", kLabelWeight});
  texts.texts.push_back({"care", "en", kAltLabelWeight});
  texts.texts.push_back({"patient care plan", "en", kLabelWeight});
  std::vector<Term> expected = {
      {"care", kLabelWeight, 10}, {"of", kAltLabelWeight, 14}, {"patient", kLabelWeight, 17},
      {"plan", kLabelWeight, 17}, {"wound", kLabelWeight, 10}, {"wounds", kAltLabelWeight, 14},
  };
  EXPECT_EQ(indexTerms(texts), expected);
  // The order of the texts does not matter.
  std::reverse(texts.texts.begin(), texts.texts.end());
  EXPECT_EQ(indexTerms(texts), expected);
}

TEST(RecordTermsTest, TermsPerRecordLimitKeepsTheFirstTokens) {
  std::deque<std::string> storage;
  RecordTexts texts;
  const size_t per_text = 128;  // under kMaxTokensPerText
  for (size_t t = 0; t * per_text < kMaxTermsPerRecord; ++t) {
    std::string text;
    for (size_t i = 0; i < per_text; ++i) text += "w" + std::to_string(t * per_text + i) + " ";
    texts.texts.push_back({storage.emplace_back(std::move(text)), "en", kAltLabelWeight});
  }
  // Past the cap: a new token is dropped, a known one still takes a better weight.
  texts.texts.push_back({"aaa w7", "en", kLabelWeight});
  auto terms = indexTerms(texts);
  ASSERT_EQ(terms.size(), kMaxTermsPerRecord);
  EXPECT_TRUE(std::is_sorted(terms.begin(), terms.end()));
  EXPECT_EQ(
      std::count_if(terms.begin(), terms.end(), [](const Term& t) { return t.token == "aaa"; }), 0);
  auto w7 = std::find_if(terms.begin(), terms.end(), [](const Term& t) { return t.token == "w7"; });
  ASSERT_NE(w7, terms.end());
  EXPECT_EQ(w7->weight, kLabelWeight);
  EXPECT_EQ(w7->label_bytes, 6);
}

}  // namespace
}  // namespace eichub::search
