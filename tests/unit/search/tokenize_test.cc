// Tokenizer: normalisation (NFKC, case folding, accents), splitting, invalid UTF-8 and limits.
#include "node/search/tokenize.h"

#include <gtest/gtest.h>

namespace eichub::search {
namespace {

using Tokens = std::vector<std::string>;

TEST(TokenizeTest, FoldsCaseAndStripsAccents) {
  EXPECT_EQ(tokenize("ÉLÉMENTS"), Tokens{"elements"});
  EXPECT_EQ(tokenize("Wundversorgung"), Tokens{"wundversorgung"});
  EXPECT_EQ(tokenize("Straße"), Tokens{"strasse"});
  EXPECT_EQ(tokenize("Ærø naïve façade"), (Tokens{"ærø", "naive", "facade"}));
  // Decomposed input (e + combining acute) gives the same token as the precomposed one.
  EXPECT_EQ(tokenize("e\xCC\x81le\xCC\x81ment"), tokenize("élément"));
  EXPECT_EQ(tokenize("ΚΑΛΗΜΈΡΑ"), Tokens{"καλημερα"});
}

TEST(TokenizeTest, AppliesCompatibilityNormalisation) {
  EXPECT_EQ(tokenize("ＡＢＣ１２"), Tokens{"abc12"});  // full-width
  EXPECT_EQ(tokenize("ﬁle"), Tokens{"file"});          // ligature
}

TEST(TokenizeTest, SplitsOnNonLetterDigit) {
  EXPECT_EQ(tokenize("wound-care"), (Tokens{"wound", "care"}));
  EXPECT_EQ(tokenize("C++ and R&D, 3D-printing!"),
            (Tokens{"c", "and", "r", "d", "3d", "printing"}));
  EXPECT_EQ(tokenize("  \t\n,,;  "), Tokens{});
  EXPECT_EQ(tokenize(""), Tokens{});
  EXPECT_EQ(tokenize("care care"), (Tokens{"care", "care"}));
  EXPECT_EQ(tokenize("日本語 テキスト"), (Tokens{"日本語", "テキスト"}));
}

TEST(TokenizeTest, InvalidUtf8SeparatesWords) {
  EXPECT_EQ(tokenize("abc\xff"
                     "def"),
            (Tokens{"abc", "def"}));
  EXPECT_EQ(tokenize("\xc3"), Tokens{});
  EXPECT_EQ(tokenize("ok\xe2\x82"), Tokens{"ok"});
}

TEST(TokenizeTest, TokenBytesLimit) {
  const std::string at_limit(kMaxTokenBytes, 'a');
  EXPECT_EQ(tokenize(at_limit), Tokens{at_limit});
  EXPECT_EQ(tokenize(at_limit + "b"), Tokens{at_limit});
  // A multi-byte character that would cross the limit is dropped whole, never split.
  const std::string almost(kMaxTokenBytes - 1, 'a');
  EXPECT_EQ(tokenize(almost + "ж"), Tokens{almost});
  // Words after a truncated one are still found.
  EXPECT_EQ(tokenize(at_limit + "bbb next"), (Tokens{at_limit, "next"}));
}

TEST(TokenizeTest, TokensPerTextLimit) {
  std::string text;
  for (size_t i = 0; i < kMaxTokensPerText; ++i) text += "w" + std::to_string(i) + " ";
  EXPECT_EQ(tokenize(text).size(), kMaxTokensPerText);
  Tokens over = tokenize(text + "extra");
  ASSERT_EQ(over.size(), kMaxTokensPerText);
  EXPECT_EQ(over.back(), "w" + std::to_string(kMaxTokensPerText - 1));
  EXPECT_EQ(tokenize("a b c", 2), (Tokens{"a", "b"}));
  EXPECT_EQ(tokenize("a b c", 0), Tokens{});
}

TEST(TokenizeTest, TextBytesLimit) {
  const std::string pad(kMaxTextBytes - 3, ' ');
  EXPECT_EQ(tokenize(pad + "abc"), Tokens{"abc"});
  EXPECT_EQ(tokenize(" " + pad + "abc"), Tokens{"ab"});
  // The cut never splits a character: "é" (2 bytes) that would cross it is left out.
  EXPECT_EQ(tokenize(pad + "aaé"), Tokens{"aa"});
}

// The ASCII fast path must give exactly what utf8proc gives: every byte between and around
// letters, digits and separators, and the limits.
TEST(TokenizeTest, AsciiFastPathMatchesUnicodePath) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string ch(1, static_cast<char>(c));
    for (const std::string& text : {"Ab" + ch + "Cd", ch, ch + "x" + ch, "9" + ch + ch + "Z"}) {
      EXPECT_EQ(tokenize(text), tokenizeUnicodeForTest(text)) << "byte " << c;
    }
  }
  const std::string long_word(kMaxTokenBytes + 5, 'Q');
  const std::string pad(kMaxTextBytes - 3, ' ');
  for (const std::string& text :
       std::vector<std::string>{long_word + " tail", "Wound-Care & C++ 3D printing, R2D2!",
                                pad + "abc", " " + pad + "abc", std::string("nul\0inside", 11)}) {
    EXPECT_EQ(tokenize(text), tokenizeUnicodeForTest(text));
    EXPECT_EQ(tokenize(text, 1), tokenizeUnicodeForTest(text, 1));
  }
}

}  // namespace
}  // namespace eichub::search
