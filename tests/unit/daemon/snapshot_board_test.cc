// When the HTTP snapshot is built: when a reader asks for one after something happened (or once
// it is older than kSnapshotMaxAgeMs), and never for nobody (node_snapshot.h,
// snapshot_publisher.h).
#include <atomic>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "node/daemon/snapshot_publisher.h"
#include "node/http/node_snapshot.h"
#include "tests/testing/wait.h"

namespace eichub::daemon {
namespace {

http::NodeSnapshot snapshotNumber(uint64_t tick) {
  http::NodeSnapshot snapshot;
  snapshot.tick = tick;
  return snapshot;
}

TEST(SnapshotBoardTest, WithoutAReactorToAskReadersTakeTheLatest) {
  http::SnapshotBoard board;
  board.publish(snapshotNumber(1));
  board.markBehind();
  EXPECT_EQ(board.get()->tick, 1u);
  EXPECT_FALSE(board.asked());
}

TEST(SnapshotBoardTest, AReaderOfASnapshotBehindAsksForTheNextAndWaitsForIt) {
  http::SnapshotBoard board;
  std::atomic<int> asks{0};
  board.setAsk([&] { ++asks; });
  board.publish(snapshotNumber(1));
  // Nothing happened since: the reader takes it as it is.
  EXPECT_EQ(board.get()->tick, 1u);
  EXPECT_EQ(asks.load(), 0);

  board.markBehind();
  std::atomic<uint64_t> read{0};
  std::thread reader([&] { read = board.get()->tick; });
  ASSERT_TRUE(testing::waitFor([&] { return board.asked(); }, std::chrono::seconds(5)));
  board.publish(snapshotNumber(2));  // the reactor answers
  reader.join();
  EXPECT_EQ(read.load(), 2u);
  EXPECT_EQ(asks.load(), 1);
  EXPECT_FALSE(board.asked());
  EXPECT_EQ(board.get()->tick, 2u);  // up to date: no second ask
  EXPECT_EQ(asks.load(), 1);
}

TEST(SnapshotBoardTest, AReaderNobodyAnswersTakesTheLatestAfterItsWait) {
  http::SnapshotBoard board;
  board.setAsk([] {});
  board.publish(snapshotNumber(1));
  board.markBehind();
  EXPECT_EQ(board.get()->tick, 1u);  // after kFreshSnapshotWaitMs
  EXPECT_TRUE(board.asked());        // still asked: the reactor builds one when it can
}

TEST(SnapshotBoardTest, APublisherIsDueOnlyWhenAReaderAsks) {
  SnapshotPublisher publisher;
  publisher.board().setAsk([] {});
  publisher.markStale();  // something happened, nobody reads
  EXPECT_EQ(publisher.dueMs(), std::numeric_limits<int64_t>::max());
  std::thread reader([&] { (void)publisher.board().get(); });
  EXPECT_TRUE(testing::waitFor([&] { return publisher.dueMs() == 0; }, std::chrono::seconds(5)));
  publisher.board().publish(snapshotNumber(1));
  reader.join();
  EXPECT_EQ(publisher.dueMs(), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace eichub::daemon
