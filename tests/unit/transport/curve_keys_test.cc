// Tests for CURVE key generation and Z85 validation, including the zguide's known key pair.
#include "federation/transport/curve_keys.h"

#include <gtest/gtest.h>

namespace eichub::transport {
namespace {

// The client key pair from the zguide ("ironhouse"), a known-answer vector.
constexpr char kKnownPublic[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
constexpr char kKnownSecret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

TEST(CurveKeysTest, GeneratedPairIsWellFormedAndConsistent) {
  auto keys = generateCurveKeyPair();
  ASSERT_TRUE(keys.ok()) << keys.status().toString();
  EXPECT_TRUE(isCurveKey(keys->public_z85));
  EXPECT_TRUE(isCurveKey(keys->secret_z85));
  EXPECT_NE(keys->public_z85, keys->secret_z85);
  auto again = curveKeyPairFromSecret(keys->secret_z85);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->public_z85, keys->public_z85);
  auto other = generateCurveKeyPair();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_z85, keys->public_z85);
}

TEST(CurveKeysTest, KnownSecretGivesKnownPublic) {
  auto keys = curveKeyPairFromSecret(kKnownSecret);
  ASSERT_TRUE(keys.ok()) << keys.status().toString();
  EXPECT_EQ(keys->public_z85, kKnownPublic);
  EXPECT_EQ(keys->secret_z85, kKnownSecret);
}

TEST(CurveKeysTest, MalformedKeysAreRejected) {
  const std::string good = kKnownPublic;
  EXPECT_TRUE(isCurveKey(good));
  EXPECT_FALSE(isCurveKey(""));
  EXPECT_FALSE(isCurveKey(good.substr(0, 39)));
  EXPECT_FALSE(isCurveKey(good + "0"));
  EXPECT_FALSE(isCurveKey(std::string(39, '0') + " "));   // outside the alphabet
  EXPECT_FALSE(isCurveKey(std::string(39, '0') + "\""));  // outside the alphabet
  EXPECT_FALSE(isCurveKey(std::string(40, '#')));         // 5 chars > 2^32: overflows
  EXPECT_EQ(curveKeyPairFromSecret("not a key").status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace eichub::transport
