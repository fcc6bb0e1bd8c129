// Tests for hex and big-endian helpers.
#include "federation/common/bytes.h"

#include <gtest/gtest.h>

namespace eichub {
namespace {

TEST(BytesTest, HexRoundTrip) {
  Bytes data{0x00, 0x7f, 0x80, 0xff, 0x12};
  EXPECT_EQ(toHex(data), "007f80ff12");
  auto back = fromHex("007F80ff12");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, data);
}

TEST(BytesTest, HexRejectsOddLengthAndNonHex) {
  EXPECT_FALSE(fromHex("abc").has_value());
  EXPECT_FALSE(fromHex("zz").has_value());
  EXPECT_FALSE((fixedFromHex<4>("001122")).has_value());
  EXPECT_TRUE((fixedFromHex<3>("001122")).has_value());
}

TEST(BytesTest, BigEndianOrderIsNumericOrder) {
  Bytes a, b;
  appendU64BE(a, 255);
  appendU64BE(b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(readU64BE(a.data()), 255u);
  EXPECT_EQ(readU64BE(b.data()), 256u);
}

}  // namespace
}  // namespace eichub
