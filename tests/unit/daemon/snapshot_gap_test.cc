// When the HTTP snapshot is rebuilt: often while something happens and someone reads it, seldom
// while nobody does (snapshot_publisher.h), and the board tells which.
#include <gtest/gtest.h>

#include "node/daemon/snapshot_publisher.h"
#include "node/http/node_snapshot.h"

namespace eichub::daemon {
namespace {

TEST(SnapshotGapTest, AnUnreadSnapshotIsRebuiltLessOften) {
  EXPECT_EQ(snapshotGapMs(/*stale=*/true, /*read=*/true), kSnapshotMs);
  EXPECT_EQ(snapshotGapMs(/*stale=*/true, /*read=*/false), kUnreadSnapshotMs);
  EXPECT_EQ(snapshotGapMs(/*stale=*/false, /*read=*/true), kIdleSnapshotMs);
  EXPECT_EQ(snapshotGapMs(/*stale=*/false, /*read=*/false), kIdleSnapshotMs);
  EXPECT_LT(kSnapshotMs, kUnreadSnapshotMs);
  EXPECT_LE(kUnreadSnapshotMs, kIdleSnapshotMs);
}

TEST(SnapshotGapTest, TheBoardSaysWhetherTheLatestSnapshotWasRead) {
  http::SnapshotBoard board;
  EXPECT_FALSE(board.readSincePublish());
  http::NodeSnapshot first;
  first.tick = 1;
  board.publish(std::move(first));
  EXPECT_FALSE(board.readSincePublish());
  EXPECT_EQ(board.get()->tick, 1u);
  EXPECT_TRUE(board.readSincePublish());
  http::NodeSnapshot second;
  second.tick = 2;
  board.publish(std::move(second));
  EXPECT_FALSE(board.readSincePublish());
}

TEST(SnapshotGapTest, APublisherDueTimeFollowsReadsAndEvents) {
  SnapshotPublisher publisher;
  // Nothing published yet: taken at 0, due at once when anything happened.
  publisher.markStale();
  EXPECT_EQ(publisher.dueMs(), kUnreadSnapshotMs);
  (void)publisher.board().get();
  EXPECT_EQ(publisher.dueMs(), kSnapshotMs);
}

}  // namespace
}  // namespace eichub::daemon
