// SourcePicker: which links a feed is not pulled from for a while, and the switch count.
#include "federation/sync/source_picker.h"

#include <gtest/gtest.h>

#include "tests/testing/keys.h"

namespace eichub::sync {
namespace {

PublicKey key(uint8_t b) { return eichub::testing::filledKey(b); }

TEST(SourcePickerTest, AnAvoidedSourceIsAvoidedForThatFeedOnlyAndForAvoidMs) {
  SourcePicker picker(6'000);
  EXPECT_FALSE(picker.avoided(key(1), 1, 0));
  picker.avoid(key(1), 1, 1'000);
  EXPECT_TRUE(picker.avoided(key(1), 1, 1'000));
  EXPECT_TRUE(picker.avoided(key(1), 1, 6'999));
  EXPECT_FALSE(picker.avoided(key(1), 1, 7'000));  // avoid_ms later
  EXPECT_FALSE(picker.avoided(key(2), 1, 1'000));  // another feed from the same link
  EXPECT_FALSE(picker.avoided(key(1), 2, 1'000));  // the same feed from another link
}

TEST(SourcePickerTest, AvoidingAgainExtendsTheTime) {
  SourcePicker picker(6'000);
  picker.avoid(key(1), 1, 0);
  picker.avoid(key(1), 1, 5'000);
  EXPECT_TRUE(picker.avoided(key(1), 1, 10'000));
  EXPECT_FALSE(picker.avoided(key(1), 1, 11'000));
}

TEST(SourcePickerTest, ALinkGoingDownIsNoLongerAvoided) {
  SourcePicker picker(6'000);
  picker.avoid(key(1), 1, 0);
  picker.avoid(key(2), 1, 0);
  picker.avoid(key(1), 2, 0);
  picker.linkDown(1);
  EXPECT_FALSE(picker.avoided(key(1), 1, 0));
  EXPECT_FALSE(picker.avoided(key(2), 1, 0));
  EXPECT_TRUE(picker.avoided(key(1), 2, 0));
}

TEST(SourcePickerTest, SwitchesAreCounted) {
  SourcePicker picker(6'000);
  EXPECT_EQ(picker.switches(), 0u);
  picker.switched();
  picker.switched();
  EXPECT_EQ(picker.switches(), 2u);
}

// avoid() forgets the entries that ended, and only those.
TEST(SourcePickerTest, ForgettingEndedAvoidancesKeepsTheOnesStillRunning) {
  SourcePicker picker(6'000);
  picker.avoid(key(1), 1, 0);      // until 6,000
  picker.avoid(key(2), 1, 4'000);  // until 10,000
  picker.avoid(key(3), 2, 7'000);  // forgets key 1's
  EXPECT_FALSE(picker.avoided(key(1), 1, 7'000));
  EXPECT_TRUE(picker.avoided(key(2), 1, 7'000));
  EXPECT_TRUE(picker.avoided(key(3), 2, 7'000));
  EXPECT_FALSE(picker.avoided(key(2), 1, 10'000));
}

// A link that goes down and comes back under the same id starts unavoided, for every feed.
TEST(SourcePickerTest, ALinkBackAfterGoingDownIsAskedAgainAndCanBeAvoidedAgain) {
  SourcePicker picker(6'000);
  picker.avoid(key(1), 1, 0);
  picker.linkDown(1);
  EXPECT_FALSE(picker.avoided(key(1), 1, 1));
  picker.avoid(key(1), 1, 2);
  EXPECT_TRUE(picker.avoided(key(1), 1, 3));
}

// An avoid time of 0 (configured so) avoids nothing: every source stays usable.
TEST(SourcePickerTest, AZeroAvoidTimeAvoidsNothing) {
  SourcePicker picker(0);
  picker.avoid(key(1), 1, 5);
  EXPECT_FALSE(picker.avoided(key(1), 1, 5));
}

}  // namespace
}  // namespace eichub::sync
