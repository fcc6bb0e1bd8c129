// ForkWatch: outstanding split-view probes (one per link, author and seq, forgotten after
// probe_ms, bounded) and fork proofs sent once per link.
#include "federation/sync/fork_watch.h"

#include <gtest/gtest.h>

#include "tests/testing/keys.h"

namespace eichub::sync {
namespace {

PublicKey key(uint8_t b) { return eichub::testing::filledKey(b); }

TEST(ForkWatchTest, AProbeIsSentOnceUntilAnsweredOrExpired) {
  ForkWatch watch(1'000);
  EXPECT_TRUE(watch.startProbe(1, key(1), 5, 0));
  EXPECT_FALSE(watch.startProbe(1, key(1), 5, 999));  // outstanding
  EXPECT_TRUE(watch.startProbe(2, key(1), 5, 0));     // another link
  EXPECT_TRUE(watch.startProbe(1, key(2), 5, 0));     // another author
  EXPECT_TRUE(watch.startProbe(1, key(1), 6, 0));     // another seq
  EXPECT_EQ(watch.probesSent(), 4u);
  EXPECT_TRUE(watch.startProbe(1, key(1), 5, 1'000));  // forgotten after probe_ms
  EXPECT_EQ(watch.probesSent(), 5u);
}

TEST(ForkWatchTest, OnlyAnAnswerThatWasProbedForIsTakenAndOnlyOnce) {
  ForkWatch watch(1'000);
  ASSERT_TRUE(watch.startProbe(1, key(1), 5, 0));
  EXPECT_FALSE(watch.takeProbe(2, key(1), 5));  // asked of link 1, not 2
  EXPECT_FALSE(watch.takeProbe(1, key(1), 4));
  EXPECT_TRUE(watch.takeProbe(1, key(1), 5));
  EXPECT_FALSE(watch.takeProbe(1, key(1), 5));      // already answered
  EXPECT_TRUE(watch.startProbe(1, key(1), 5, 10));  // may be asked again
}

TEST(ForkWatchTest, AnExpiredProbeIsNoLongerTaken) {
  ForkWatch watch(1'000);
  ASSERT_TRUE(watch.startProbe(1, key(1), 5, 0));
  ASSERT_TRUE(watch.startProbe(1, key(1), 6, 1'500));  // expiry runs when a probe starts
  EXPECT_FALSE(watch.takeProbe(1, key(1), 5));
  EXPECT_TRUE(watch.takeProbe(1, key(1), 6));
}

TEST(ForkWatchTest, AtMostKMaxProbesAreOutstanding) {
  ForkWatch watch(1'000);
  for (uint64_t seq = 1; seq <= ForkWatch::kMaxProbes; ++seq) {
    ASSERT_TRUE(watch.startProbe(1, key(1), seq, 0)) << seq;
  }
  EXPECT_FALSE(watch.startProbe(1, key(1), ForkWatch::kMaxProbes + 1, 0));
  EXPECT_EQ(watch.probesSent(), ForkWatch::kMaxProbes);
  ASSERT_TRUE(watch.takeProbe(1, key(1), 1));
  EXPECT_TRUE(watch.startProbe(1, key(1), ForkWatch::kMaxProbes + 1, 0));
  // Once they expire, there is room again.
  EXPECT_TRUE(watch.startProbe(1, key(2), 1, 1'000));
}

TEST(ForkWatchTest, AProofGoesOncePerLinkAuthorAndSeq) {
  ForkWatch watch(1'000);
  EXPECT_TRUE(watch.firstProofFor(1, key(1), 7));
  EXPECT_FALSE(watch.firstProofFor(1, key(1), 7));
  EXPECT_TRUE(watch.firstProofFor(2, key(1), 7));
  EXPECT_TRUE(watch.firstProofFor(1, key(1), 3));  // an earlier fork point is a new proof
  EXPECT_TRUE(watch.firstProofFor(1, key(2), 7));
}

TEST(ForkWatchTest, ALinkGoingDownForgetsItsProbesAndProofsOnly) {
  ForkWatch watch(1'000);
  ASSERT_TRUE(watch.startProbe(1, key(1), 5, 0));
  ASSERT_TRUE(watch.startProbe(2, key(1), 5, 0));
  ASSERT_TRUE(watch.firstProofFor(1, key(1), 7));
  ASSERT_TRUE(watch.firstProofFor(2, key(1), 7));
  watch.linkDown(1);
  EXPECT_FALSE(watch.takeProbe(1, key(1), 5));
  EXPECT_TRUE(watch.firstProofFor(1, key(1), 7));  // its new session has not seen it
  EXPECT_TRUE(watch.takeProbe(2, key(1), 5));
  EXPECT_FALSE(watch.firstProofFor(2, key(1), 7));
}

// Each probe expires probe_ms after its own start, not with the others.
TEST(ForkWatchTest, EachProbeExpiresProbeMsAfterItsOwnStart) {
  ForkWatch watch(1'000);
  ASSERT_TRUE(watch.startProbe(1, key(1), 5, 0));
  ASSERT_TRUE(watch.startProbe(1, key(1), 6, 600));
  ASSERT_TRUE(watch.startProbe(1, key(1), 7, 1'000));  // expires seq 5 only
  EXPECT_FALSE(watch.takeProbe(1, key(1), 5));
  EXPECT_TRUE(watch.takeProbe(1, key(1), 6));
  EXPECT_TRUE(watch.takeProbe(1, key(1), 7));
}

// Seq 1 is a seq like any other (a fork in a feed's first update).
TEST(ForkWatchTest, AProbeAndAProofAtSeqOneAreKeptLikeAnyOther) {
  ForkWatch watch(1'000);
  EXPECT_TRUE(watch.startProbe(1, key(1), 1, 0));
  EXPECT_FALSE(watch.startProbe(1, key(1), 1, 10));
  EXPECT_TRUE(watch.takeProbe(1, key(1), 1));
  EXPECT_TRUE(watch.firstProofFor(1, key(1), 1));
  EXPECT_FALSE(watch.firstProofFor(1, key(1), 1));
}

// The proofs sent are remembered up to kMaxProbes; past that the memory starts over, so a proof may
// go to a link a second time (a duplicate it ignores), never an unbounded set.
TEST(ForkWatchTest, RememberedProofsAreBoundedAndStartOverWhenFull) {
  ForkWatch watch(1'000);
  for (uint64_t seq = 1; seq < ForkWatch::kMaxProbes; ++seq) {
    ASSERT_TRUE(watch.firstProofFor(1, key(1), seq)) << seq;
  }
  EXPECT_FALSE(watch.firstProofFor(1, key(1), 1));  // one short of full: still remembered
  ASSERT_TRUE(watch.firstProofFor(1, key(1), ForkWatch::kMaxProbes));
  EXPECT_TRUE(watch.firstProofFor(1, key(1), 1));  // full: forgotten, sent again
  EXPECT_FALSE(watch.firstProofFor(1, key(1), 1));
  EXPECT_TRUE(watch.firstProofFor(1, key(1), 2));
}

}  // namespace
}  // namespace eichub::sync
