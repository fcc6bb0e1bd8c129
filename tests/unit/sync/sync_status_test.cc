// SyncStatus: link counters, what each peer announced and since when it is ahead of us, and
// each feed's state (behind, stale while its pull does not advance).
#include "federation/sync/sync_status.h"

#include <gtest/gtest.h>

#include "tests/unit/sync/part_harness.h"

namespace eichub::sync {
namespace {

class SyncStatusTest : public testing::PartTest {
 protected:
  void SetUp() override {
    PartTest::SetUp();
    forks_ = std::make_unique<ForkGuard>(*context_, nullptr);
    bodies_ = std::make_unique<BodyPump>(*context_);
    puller_ = std::make_unique<Puller>(*context_, *forks_, *bodies_, relay_, nullptr);
    status_ = std::make_unique<SyncStatus>(*context_, *puller_);
  }
  std::unique_ptr<ForkGuard> forks_;
  std::unique_ptr<BodyPump> bodies_;
  std::unique_ptr<Puller> puller_;
  std::unique_ptr<SyncStatus> status_;
};

TEST_F(SyncStatusTest, LinkStatsListEveryLinkInOrder) {
  up(2, Role::kServer).stats.peer_key = "b";
  up(1, Role::kClient).stats.peer_key = "a";
  context_->reject(2, "bad want");
  auto stats = status_->linkStats();
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].peer_key, "a");
  EXPECT_EQ(stats[1].peer_key, "b");
  EXPECT_EQ(stats[1].rejected, 1u);
}

TEST_F(SyncStatusTest, APeerAheadIsReportedSinceWhenItWasFirstNoticed) {
  store(2);
  LinkState& link = up(1, Role::kClient);
  link.stats.peer_key = "a";
  link.hello_received = true;
  link.remote_heads[author()] = {author(), 5, {}};
  up(2, Role::kServer);  // announces nothing to us: not reported
  const int64_t noticed = now_ms_;
  auto peers = status_->peerHeads();
  ASSERT_TRUE(peers.ok());
  ASSERT_EQ(peers->size(), 1u);
  EXPECT_EQ((*peers)[0].peer_key, "a");
  EXPECT_TRUE((*peers)[0].hello_received);
  ASSERT_EQ((*peers)[0].heads.size(), 1u);
  EXPECT_EQ((*peers)[0].heads[0].seq, 5u);
  EXPECT_EQ((*peers)[0].heads[0].accepted_seq, 5u);
  EXPECT_EQ((*peers)[0].heads[0].ahead_since_ms, noticed);
  now_ms_ += 500;
  EXPECT_EQ(status_->peerHeads()->at(0).heads[0].ahead_since_ms, noticed);
  store(3);  // we caught up
  EXPECT_EQ(status_->peerHeads()->at(0).heads[0].ahead_since_ms, 0);
  link.remote_heads[author()] = {author(), 6, {}};
  EXPECT_EQ(status_->peerHeads()->at(0).heads[0].ahead_since_ms, now_ms_);
  // A head past what trust accepts counts only up to that.
  trust_.keys.clear();
  EXPECT_EQ(status_->peerHeads()->at(0).heads[0].accepted_seq, 0u);
  EXPECT_EQ(status_->peerHeads()->at(0).heads[0].ahead_since_ms, 0);
}

TEST_F(SyncStatusTest, ALinkGoingDownForgetsSinceWhenItWasAhead) {
  LinkState& link = up(1, Role::kClient);
  link.remote_heads[author()] = {author(), 5, {}};
  const int64_t first = now_ms_;
  ASSERT_EQ(status_->peerHeads()->at(0).heads[0].ahead_since_ms, first);
  status_->linkDown(1);
  now_ms_ += 100;
  EXPECT_EQ(status_->peerHeads()->at(0).heads[0].ahead_since_ms, first + 100);
}

TEST_F(SyncStatusTest, AFeedBehindIsStaleWhenItsPullDoesNotAdvance) {
  store(2);
  LinkState& link = up(1, Role::kClient);
  link.remote_heads[author()] = {author(), 5, {}};
  // Behind, and nothing pulls it (the peer's announcement came while we did not accept it).
  auto states = status_->feedStates();
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ((*states)[0].local_seq, 2u);
  EXPECT_EQ((*states)[0].best_remote_seq, 5u);
  EXPECT_TRUE((*states)[0].stale);
  puller_->pullIfBehind(author());  // a pull starts now
  EXPECT_FALSE(status_->feedStates()->at(0).stale);
  now_ms_ += SyncOptions{}.stale_after_ms;
  EXPECT_TRUE(status_->feedStates()->at(0).stale);
  storage_->frozen.insert(author());  // a frozen feed is never behind
  EXPECT_FALSE(status_->feedStates()->at(0).stale);
}

TEST_F(SyncStatusTest, AFeedAtItsAcceptedEndIsNotStale) {
  store(2);
  up(1, Role::kClient).remote_heads[author()] = {author(), 5, {}};
  trust_.keys.clear();  // nothing of it may be held: not behind
  auto states = status_->feedStates();
  ASSERT_TRUE(states.ok());
  EXPECT_FALSE(states->at(0).stale);
  EXPECT_EQ(states->at(0).best_remote_seq, 5u);
}

}  // namespace
}  // namespace eichub::sync
