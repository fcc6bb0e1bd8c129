// Staleness reports: a signed expiry in the past, an expired delegation and a silent feed are
// reported stale by the given clock; fresh, cut and unknown feeds are not.
#include "node/policy/staleness.h"

#include <gtest/gtest.h>

#include "tests/testing/keys.h"

namespace eichub::policy {
namespace {

using trust::HeldRecord;

using eichub::testing::filledKey;

HeldRecord held(PublicKey author, uint64_t seq, trust::TrustRecord record) {
  return HeldRecord{author, seq, 1, trust::recordId(record), std::move(record)};
}

store::FeedInfo feedAt(PublicKey author, int64_t newest_ms) {
  store::FeedInfo info;
  info.author = author;
  info.head.seq = 1;
  info.head.time_ms = newest_ms;
  return info;
}

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kHour = 3'600'000;

const PublicKey kExpiredRoot = filledKey(1), kFreshRoot = filledKey(2), kMember = filledKey(3),
                kVendor = filledKey(4);
const PublicKey kRemoved = filledKey(5), kStranger = filledKey(6);

trust::TrustState state() {
  return trust::TrustState::derive(
      {{kExpiredRoot, kFreshRoot}, {}, 1},
      {held(kExpiredRoot, 1, trust::Expiry{kNow - 1}),
       held(kFreshRoot, 1, trust::Expiry{kNow + kHour}),
       held(kFreshRoot, 2, trust::Membership{kMember, "m", ""}),
       held(kFreshRoot, 3, trust::Membership{kRemoved, "r", ""}),
       held(kFreshRoot, 4, trust::Removal{kRemoved, 0, false, "gone"}),
       held(kMember, 1,
            trust::Delegation{
                kVendor, "v", {catalog::kindCode(catalog::Kind::SKILL)}, "", kNow - kHour})});
}

TEST(StalenessTest, ExpiredDelegationAndSilentFeedsAreReported) {
  const std::vector<store::FeedInfo> feeds = {
      feedAt(kExpiredRoot, kNow), feedAt(kFreshRoot, kNow - kHour / 2),
      feedAt(kMember, kNow - 3 * kHour), feedAt(kRemoved, kNow - 100 * kHour),
      feedAt(kStranger, kNow - 100 * kHour)};
  std::vector<StaleFeed> stale = staleFeeds(state(), feeds, kNow, 2 * kHour);
  ASSERT_EQ(stale.size(), 3u);
  EXPECT_EQ(stale[0].author, kExpiredRoot);
  EXPECT_EQ(stale[0].reason, stale::kExpired);
  EXPECT_EQ(stale[0].role, trust::Role::kRoot);
  EXPECT_EQ(stale[0].since_ms, kNow - 1);
  EXPECT_EQ(stale[1].author, kMember);
  EXPECT_EQ(stale[1].reason, stale::kSilent);
  EXPECT_EQ(stale[1].since_ms, kNow - 3 * kHour);
  EXPECT_EQ(stale[2].author, kVendor);
  EXPECT_EQ(stale[2].reason, stale::kDelegationExpired);
}

TEST(StalenessTest, NoWindowReportsNoSilenceAndAnEarlierClockNothing) {
  const std::vector<store::FeedInfo> feeds = {feedAt(kMember, kNow - 3 * kHour)};
  std::vector<StaleFeed> stale = staleFeeds(state(), feeds, kNow, 0);
  ASSERT_EQ(stale.size(), 2u);
  EXPECT_EQ(stale[0].author, kExpiredRoot);
  EXPECT_EQ(stale[1].author, kVendor);
  // A clock two hours behind sees every expiry ahead of it.
  EXPECT_TRUE(staleFeeds(state(), feeds, kNow - 2 * kHour, 0).empty());
}

}  // namespace
}  // namespace eichub::policy
