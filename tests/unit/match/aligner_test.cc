// Tests for the aligner on the mini skills: preferred and alternative labels found in titles
// and descriptions, scores, unrelated text, languages without labels, and option limits.
#include "node/match/aligner.h"

#include "tests/unit/match/match_fixture.h"

namespace eichub::match {
namespace {

using testing::skill;

class AlignerTest : public ::testing::Test {
 protected:
  void SetUp() override { aligner_ = Aligner::build(*mini_.store).value(); }

  AlignAnswer run(const std::string& title, const std::string& description = "",
                  const std::string& lang = "en", AlignOptions options = {kMaxSuggestions, 0}) {
    AlignInput input;
    input.id = "r1";
    input.title = {{lang, title}};
    if (!description.empty()) input.description = {{lang, description}};
    auto answer = aligner_->align(input, options);
    EXPECT_TRUE(answer.ok()) << answer.status().toString();
    return answer.ok() ? std::move(answer).value() : AlignAnswer{};
  }

  testing::MiniStore mini_;
  std::unique_ptr<Aligner> aligner_;
};

TEST_F(AlignerTest, IndexesPreferredAndAlternativeLabels) {
  EXPECT_EQ(aligner_->stats().skills, 6u);
  EXPECT_EQ(aligner_->stats().labels, 6u + 1u + 2u);  // six en, one de, two alternatives
  EXPECT_EQ(aligner_->stats().languages, (std::vector<std::string>{"de", "en"}));
}

TEST_F(AlignerTest, TitleNamingAPreferredLabelFindsTheSkill) {
  AlignAnswer answer = run("Administer medication safely");
  ASSERT_FALSE(answer.suggestions.empty()) << answer.note;
  const SkillSuggestion& top = answer.suggestions[0];
  EXPECT_EQ(top.skill, skill("medication"));
  EXPECT_TRUE(top.preferred);
  EXPECT_TRUE(top.phrase);
  EXPECT_EQ(top.field, "title");
  EXPECT_EQ(top.matched_words, (std::vector<std::string>{"administer", "medication"}));
  EXPECT_GT(top.score, 0);
}

TEST_F(AlignerTest, AlternativeLabelsAndDescriptionsScoreLess) {
  AlignAnswer alt = run("How to give medicines");
  ASSERT_FALSE(alt.suggestions.empty()) << alt.note;
  EXPECT_EQ(alt.suggestions[0].skill, skill("medication"));
  EXPECT_FALSE(alt.suggestions[0].preferred);

  AlignAnswer in_title = run("Carry out wound care");
  AlignAnswer in_text = run("Module 3", "Students learn to carry out wound care.");
  AlignAnswer scattered = run("Care", "Wound dressing: you carry it out");
  ASSERT_FALSE(in_title.suggestions.empty());
  ASSERT_FALSE(in_text.suggestions.empty());
  ASSERT_FALSE(scattered.suggestions.empty());
  EXPECT_EQ(in_text.suggestions[0].field, "description");
  EXPECT_GT(in_title.suggestions[0].score, in_text.suggestions[0].score);
  EXPECT_FALSE(scattered.suggestions[0].phrase);
  EXPECT_GT(in_text.suggestions[0].score, scattered.suggestions[0].score);
}

TEST_F(AlignerTest, UnrelatedTextGetsNoSuggestion) {
  AlignAnswer answer = run("Lorem ipsum dolor sit amet", "Consectetur adipiscing elit.");
  EXPECT_TRUE(answer.suggestions.empty());
  EXPECT_EQ(answer.best_score, 0);
  EXPECT_FALSE(answer.note.empty());
  // One word of a label is not the label.
  AlignAnswer partial = run("Wound photography");
  EXPECT_TRUE(partial.suggestions.empty());
}

TEST_F(AlignerTest, UsesLabelsInTheResourcesLanguage) {
  AlignAnswer german = run("Wundversorgung durchführen", "", "de");
  ASSERT_FALSE(german.suggestions.empty()) << german.note;
  EXPECT_EQ(german.suggestions[0].skill, skill("wound-care"));
  EXPECT_EQ(german.suggestions[0].lang, "de");
  AlignAnswer french = run("Soins des plaies", "", "fr");
  EXPECT_TRUE(french.suggestions.empty());
  EXPECT_NE(french.note.find("fr"), std::string::npos) << french.note;
}

TEST_F(AlignerTest, SkillsAlreadyTaughtAreNotSuggested) {
  AlignInput input;
  input.title = {{"en", "Administer medication"}};
  input.teaches = {skill("medication")};
  auto answer = aligner_->align(input, {});
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->suggestions.empty());
}

TEST_F(AlignerTest, OptionsOutOfRangeAreRefused) {
  AlignInput input;
  input.title = {{"en", "Administer medication"}};
  EXPECT_FALSE(aligner_->align(input, {0, 0.5}).ok());
  EXPECT_FALSE(aligner_->align(input, {kMaxSuggestions + 1, 0.5}).ok());
  EXPECT_TRUE(aligner_->align(input, {kMaxSuggestions, 0.5}).ok());
  EXPECT_FALSE(aligner_->align(input, {5, 1.5}).ok());
  EXPECT_FALSE(aligner_->align(input, {5, -0.1}).ok());
}

}  // namespace
}  // namespace eichub::match
