// Tests for UTF-8 validation.
#include "federation/common/utf8.h"

#include <gtest/gtest.h>

namespace eichub {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("Wundversorgung"));
  EXPECT_TRUE(isValidUtf8("Grundlagen der Wundversorgung \xc3\xa4\xc3\xb6"));
  EXPECT_TRUE(isValidUtf8("\xe4\xb8\xad\xe6\x96\x87"));  // 中文
  EXPECT_TRUE(isValidUtf8("\xf0\x9f\x98\x80"));          // U+1F600
}

TEST(Utf8Test, RejectsBrokenSequences) {
  EXPECT_FALSE(isValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));          // overlong
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("ab\xffz"));
  EXPECT_FALSE(isValidUtf8("\xe4\xb8"));
}

TEST(Utf8Test, FirstInvalidByteIsNamedPastTheAsciiFastPath) {
  EXPECT_EQ(firstInvalidUtf8("plain ascii text, longer than eight"), std::string_view::npos);
  EXPECT_EQ(firstInvalidUtf8("0123456789\xff"), 10u);
  EXPECT_EQ(firstInvalidUtf8("abcdefgh\xc3\xa4\xed\xa0\x80"), 10u);
}

}  // namespace
}  // namespace eichub
