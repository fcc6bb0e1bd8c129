// IdleTrim: one trim per quiet spell, due kIdleTrimMs after the last activity.
#include "node/daemon/idle_trim.h"

#include <limits>

#include <gtest/gtest.h>

namespace eichub::daemon {
namespace {

TEST(IdleTrimTest, TrimsOncePerQuietSpell) {
  IdleTrim trim;
  EXPECT_FALSE(trim.trimIfDue(1'000'000));  // nothing happened yet
  EXPECT_EQ(trim.trims(), 0u);
  trim.active(1'000);
  EXPECT_EQ(trim.dueMs(), 1'000 + kIdleTrimMs);
  EXPECT_FALSE(trim.trimIfDue(1'000 + kIdleTrimMs - 1));
  EXPECT_TRUE(trim.trimIfDue(1'000 + kIdleTrimMs));
  EXPECT_EQ(trim.trims(), 1u);
  // Still quiet: nothing more is due, however long it lasts.
  EXPECT_EQ(trim.dueMs(), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(trim.trimIfDue(1'000'000));
  // Activity opens the next spell, timed from its last activity.
  trim.active(2'000'000);
  trim.active(2'000'500);
  EXPECT_FALSE(trim.trimIfDue(2'000'000 + kIdleTrimMs));
  EXPECT_TRUE(trim.trimIfDue(2'000'500 + kIdleTrimMs));
  EXPECT_EQ(trim.trims(), 2u);
}

}  // namespace
}  // namespace eichub::daemon
