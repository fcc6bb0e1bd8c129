// BodyFetcher: requests spread over links within their limits, retries elsewhere on a miss,
// gives up when every link missed, and expires unanswered requests.
#include "federation/sync/body_fetcher.h"

#include <gtest/gtest.h>

namespace eichub::sync {
namespace {

wire::BodyRef ref(uint64_t seq) { return {PublicKey{7}, seq}; }
feed::SignedUpdate header(uint64_t seq) {
  return {Bytes{static_cast<uint8_t>(seq)}, {}, Bytes{1}, {}};
}

size_t refsTo(const std::vector<std::pair<LinkId, wire::WantBodies>>& requests, LinkId link) {
  size_t n = 0;
  for (const auto& [to, want] : requests) {
    if (to == link) n += want.refs.size();
  }
  return n;
}

TEST(BodyFetcherTest, AsksTheHintFirstAndKeepsEachRequestWithinItsLimits) {
  BodyFetcher fetcher;
  for (uint64_t seq = 1; seq <= 2 * kMaxBodyRefsInFlight; ++seq) {
    ASSERT_TRUE(fetcher.add(ref(seq), header(seq), 2, 100));
  }
  auto requests = fetcher.requests({1, 2}, 0);
  for (const auto& [link, want] : requests) EXPECT_LE(want.refs.size(), wire::kMaxBodyRefs);
  EXPECT_EQ(refsTo(requests, 2), kMaxBodyRefsInFlight);  // the hint, up to its limit
  EXPECT_EQ(refsTo(requests, 1), kMaxBodyRefsInFlight);  // the rest to the other link
  EXPECT_TRUE(fetcher.requests({1, 2}, 0).empty());      // both links are full
  auto taken = fetcher.take(2, ref(1));
  ASSERT_TRUE(taken);
  EXPECT_TRUE(taken->header.body.empty());                       // only the header is kept
  EXPECT_FALSE(fetcher.take(2, ref(1)));                         // answered once
  EXPECT_FALSE(fetcher.take(2, ref(2 * kMaxBodyRefsInFlight)));  // asked of link 1, not 2
}

TEST(BodyFetcherTest, AMissGoesToAnotherLinkThenGivesUp) {
  BodyFetcher fetcher;
  ASSERT_TRUE(fetcher.add(ref(1), header(1), 0, 100));
  auto first = fetcher.requests({1, 2}, 0);
  ASSERT_EQ(refsTo(first, 1), 1u);
  fetcher.retry(*fetcher.take(1, ref(1)), 1);
  auto second = fetcher.requests({1, 2}, 0);
  ASSERT_EQ(refsTo(second, 2), 1u);
  fetcher.retry(*fetcher.take(2, ref(1)), 2);
  EXPECT_TRUE(fetcher.requests({1, 2}, 0).empty());
  EXPECT_EQ(fetcher.givenUp(), 1u);
  EXPECT_EQ(fetcher.pending(), 0u);
}

TEST(BodyFetcherTest, UnansweredRequestsExpireAndLinksGoingDownFreeTheirFetches) {
  BodyFetcher fetcher;
  ASSERT_TRUE(fetcher.add(ref(1), header(1), 1, 100));
  ASSERT_TRUE(fetcher.add(ref(2), header(2), 1, 100));
  ASSERT_EQ(refsTo(fetcher.requests({1, 2}, 0), 1), 2u);
  fetcher.expire(1000, 5000);
  EXPECT_TRUE(fetcher.requests({1, 2}, 1000).empty());  // not yet expired
  fetcher.expire(6001, 5000);
  EXPECT_EQ(refsTo(fetcher.requests({1, 2}, 6001), 2), 2u);  // link 1 timed out: ask link 2
  EXPECT_FALSE(fetcher.take(1, ref(1)));                     // link 1's answer comes late:
  EXPECT_TRUE(fetcher.lateAnswer(1, ref(1)));                // not held against it,
  EXPECT_FALSE(fetcher.lateAnswer(1, ref(1)));               // once
  EXPECT_FALSE(fetcher.lateAnswer(2, ref(1)));
  fetcher.linkDown(2);
  EXPECT_EQ(fetcher.pending(), 2u);
  EXPECT_TRUE(fetcher.requests({1}, 7000).empty());  // link 1 already tried: given up
  EXPECT_EQ(fetcher.givenUp(), 2u);
}

TEST(BodyFetcherTest, QueueIsBoundedAndDuplicatesAreMerged) {
  BodyFetcher fetcher;
  for (uint64_t seq = 1; seq <= kMaxPendingBodies; ++seq) {
    ASSERT_TRUE(fetcher.add(ref(seq), header(seq), 0, 100));
  }
  EXPECT_TRUE(fetcher.add(ref(1), header(1), 0, 100));  // already pending
  EXPECT_FALSE(fetcher.add(ref(kMaxPendingBodies + 1), header(1), 0, 100));
  EXPECT_EQ(fetcher.pending(), kMaxPendingBodies);
}

// A link whose server states a byte budget is asked for no more body bytes at once than the
// limit given for it (one body at least, however large), and is asked again as answers come.
TEST(BodyFetcherTest, BodiesInFlightStayWithinEachLinksByteLimit) {
  auto limit = [](LinkId link) -> uint64_t { return link == 1 ? 350 : 0; };
  BodyFetcher fetcher;
  for (uint64_t seq = 1; seq <= 10; ++seq) ASSERT_TRUE(fetcher.add(ref(seq), header(seq), 1, 100));
  EXPECT_EQ(refsTo(fetcher.requests({1}, 0, limit), 1), 3u);  // 300 bytes; 400 would pass 350
  EXPECT_TRUE(fetcher.requests({1}, 0, limit).empty());
  ASSERT_TRUE(fetcher.take(1, ref(1)));
  EXPECT_EQ(refsTo(fetcher.requests({1}, 0, limit), 1), 1u);  // room for one more
  // A link without a bound (0) is asked for the rest.
  EXPECT_EQ(refsTo(fetcher.requests({1, 2}, 0, limit), 2), 6u);

  BodyFetcher large;
  ASSERT_TRUE(large.add(ref(1), header(1), 1, 5000));
  ASSERT_TRUE(large.add(ref(2), header(2), 1, 100));
  auto requests = large.requests({1}, 0, limit);
  ASSERT_EQ(refsTo(requests, 1), 1u);  // larger than the limit: asked alone
  EXPECT_EQ(requests[0].second.refs[0], ref(1));
  EXPECT_TRUE(large.requests({1}, 0, limit).empty());
  ASSERT_TRUE(large.take(1, ref(1)));
  EXPECT_EQ(refsTo(large.requests({1}, 0, limit), 1), 1u);
}

}  // namespace
}  // namespace eichub::sync
