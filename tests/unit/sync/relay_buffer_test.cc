// RelayBuffer: runs kept until their commit, read back by seq, dropped on commit or failure
// (with the later runs of the feed), bounded in bytes, never across a gap.
#include "federation/sync/relay_buffer.h"

#include <gtest/gtest.h>

#include "tests/unit/sync/part_harness.h"

namespace eichub::sync {
namespace {

class RelayBufferTest : public testing::PartTest {
 protected:
  std::vector<feed::VerifiedUpdate> run(uint64_t from, uint64_t to) {
    std::vector<feed::VerifiedUpdate> out(all_.begin() + static_cast<long>(from - 1),
                                          all_.begin() + static_cast<long>(to));
    return out;
  }
  static size_t bytesOf(const std::vector<feed::VerifiedUpdate>& run) {
    size_t bytes = 0;
    for (const auto& u : run) {
      bytes += u.signed_update.header.size() + u.signed_update.signature.size() +
               u.signed_update.body.size();
    }
    return bytes;
  }
  std::vector<feed::VerifiedUpdate> all_ = {};
};

TEST_F(RelayBufferTest, HeldRunsAreReadAndDroppedOnCommit) {
  all_ = chain(6);
  RelayBuffer relay;
  ASSERT_TRUE(relay.hold(1, run(1, 3)));
  ASSERT_TRUE(relay.hold(2, run(4, 6)));
  EXPECT_EQ(relay.head(author())->seq, 6u);
  EXPECT_EQ(relay.head(author())->hash, all_[5].hash);
  EXPECT_EQ(relay.authors(), (std::vector<PublicKey>{author()}));
  auto read = relay.read(author(), 2, 10, wire::kMaxBatchBytes);
  ASSERT_EQ(read.size(), 5u);
  EXPECT_EQ(read.front().header, all_[1].signed_update.header);
  EXPECT_EQ(relay.read(author(), 2, 2, wire::kMaxBatchBytes).size(), 2u);
  EXPECT_TRUE(relay.endsRun(author(), 3, all_[2].hash));
  EXPECT_FALSE(relay.endsRun(author(), 3, all_[1].hash));  // another update at that seq
  EXPECT_FALSE(relay.endsRun(author(), 2, all_[1].hash));
  relay.committed(1);
  EXPECT_TRUE(relay.read(author(), 2, 10, wire::kMaxBatchBytes).empty());  // the store has it
  EXPECT_EQ(relay.read(author(), 4, 10, wire::kMaxBatchBytes).size(), 3u);
  relay.committed(2);
  EXPECT_FALSE(relay.head(author()));
  EXPECT_TRUE(relay.authors().empty());
  EXPECT_EQ(relay.bytes(), 0u);
  EXPECT_EQ(relay.runs(), 0u);
}

TEST_F(RelayBufferTest, AFailedCommitDropsTheRunAndEveryLaterOne) {
  all_ = chain(6);
  RelayBuffer relay;
  ASSERT_TRUE(relay.hold(1, run(1, 2)));
  ASSERT_TRUE(relay.hold(2, run(3, 4)));
  ASSERT_TRUE(relay.hold(3, run(5, 6)));
  EXPECT_EQ(relay.failed(2), 2u);
  EXPECT_EQ(relay.head(author())->seq, 2u);
  EXPECT_TRUE(relay.read(author(), 3, 10, wire::kMaxBatchBytes).empty());
  relay.committed(3);  // reported later: already gone
  relay.committed(1);
  EXPECT_EQ(relay.bytes(), 0u);
}

TEST_F(RelayBufferTest, TheByteBoundHoldsAndARunNotKeptStopsLaterOnesUntilItsCommit) {
  all_ = chain(6);
  const size_t first = bytesOf(run(1, 2));
  RelayBuffer relay(first + bytesOf(run(3, 4)));  // exactly two runs
  ASSERT_TRUE(relay.hold(1, run(1, 2)));
  ASSERT_TRUE(relay.hold(2, run(3, 4)));
  EXPECT_FALSE(relay.hold(3, run(5, 5)));  // past the bound
  relay.committed(1);
  // Room again, but seq 5 is neither held nor committed: 6 would leave a gap.
  EXPECT_FALSE(relay.hold(4, run(6, 6)));
  EXPECT_EQ(relay.head(author())->seq, 4u);
  relay.committed(3);
  relay.committed(4);
  relay.committed(2);
  all_ = chain(2, feed::headAfter(all_[5]));
  EXPECT_TRUE(relay.hold(5, all_));
  EXPECT_EQ(relay.head(author())->seq, 8u);
}

TEST_F(RelayBufferTest, TheByteBoundCountsTheBodyFramesKeptBesideTheBodies) {
  all_ = chain(2);
  std::vector<feed::VerifiedUpdate> framed = run(1, 2);
  for (auto& u : framed) u.signed_update.body_zstd = Bytes(100, 0x28);  // as a peer's frames
  const size_t signed_only = bytesOf(framed);
  EXPECT_FALSE(RelayBuffer(signed_only).hold(1, framed));  // the frames do not fit
  RelayBuffer relay(signed_only + 200);
  ASSERT_TRUE(relay.hold(1, framed));
  EXPECT_EQ(relay.bytes(), signed_only + 200);
  relay.committed(1);
  EXPECT_EQ(relay.bytes(), 0u);
}

TEST_F(RelayBufferTest, ARunThatDoesNotFollowTheHeldOnesIsNotKept) {
  all_ = chain(6);
  RelayBuffer relay;
  ASSERT_TRUE(relay.hold(1, run(1, 2)));
  EXPECT_FALSE(relay.hold(2, run(4, 6)));
  EXPECT_EQ(relay.head(author())->seq, 2u);
}

}  // namespace
}  // namespace eichub::sync
