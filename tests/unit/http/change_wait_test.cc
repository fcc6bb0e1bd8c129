// The change feed's long poll wakes when the writer signals an applied batch, not on a timer:
// each wait here is given an hour, and a stop() after a failed check lets the thread end.
#include "node/http/change_wait.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "node/catalog/record_json.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::http {
namespace {

constexpr std::chrono::hours kForever{1};
constexpr std::chrono::seconds kConditionTimeout{20};

class ChangeWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::CatalogStore::open(dir_.path(), {}).value();
    key_ = std::make_unique<crypto::SigningKey>(crypto::SigningKey::generate().value());
    appender_ = std::make_unique<feed::FeedAppender>(*key_, "test-net", feed::Head{});
  }
  void applyOne(const std::string& id) {
    auto change = catalog::changeFromJson(
        {{"kind", "Skill"}, {"id", id}, {"prefLabel", {{"en", "label " + id}}}});
    ASSERT_TRUE(change.ok()) << change.status().toString();
    std::vector<feed::VerifiedUpdate> batch = {appender_->append(
        change->op, catalog::kindCode(change->kind), change->id, change->tags, change->body, 1000)};
    ASSERT_TRUE(store_->writer().apply(batch).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<store::CatalogStore> store_;
  std::unique_ptr<crypto::SigningKey> key_;
  std::unique_ptr<feed::FeedAppender> appender_;
  ChangeSignal signal_;
};

TEST_F(ChangeWaitTest, AnAppliedBatchWakesTheWaiterAtOnce) {
  std::atomic<bool> done{false};
  size_t seen = 0;
  std::thread waiter([&] {
    auto changes = waitForChanges(*store_, signal_, 0, 10, kForever, kForever);
    seen = changes.ok() ? changes->size() : 0;
    done = true;
  });
  applyOne("s:1");
  signal_.notify();
  bool woke = testing::waitFor([&] { return done.load(); }, kConditionTimeout);
  if (!woke) signal_.stop();  // lets the thread end; the test has failed
  waiter.join();
  EXPECT_TRUE(woke) << "the waiter did not wake on the applied-batch signal";
  EXPECT_EQ(seen, 1u);
}

TEST_F(ChangeWaitTest, ASignalWithNothingNewKeepsWaitingUntilTheBatchLands) {
  std::atomic<bool> done{false};
  size_t seen = 0;
  std::thread waiter([&] {
    auto changes = waitForChanges(*store_, signal_, 0, 10, kForever, kForever);
    seen = changes.ok() ? changes->size() : 0;
    done = true;
  });
  signal_.notify();  // nothing applied: the waiter reads nothing and waits again
  applyOne("s:1");
  applyOne("s:2");
  signal_.notify();
  bool woke = testing::waitFor([&] { return done.load(); }, kConditionTimeout);
  if (!woke) signal_.stop();
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_GE(seen, 1u);
}

TEST_F(ChangeWaitTest, HeldChangesAnswerWithoutWaiting) {
  applyOne("s:1");
  applyOne("s:2");
  auto changes = waitForChanges(*store_, signal_, 1, 10, kForever, kForever);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ(changes->front().number, 2u);
}

TEST_F(ChangeWaitTest, StopEndsEveryWaitWithNothing) {
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    auto changes = waitForChanges(*store_, signal_, 0, 10, kForever, kForever);
    EXPECT_TRUE(changes.ok() && changes->empty());
    done = true;
  });
  signal_.stop();
  EXPECT_TRUE(testing::waitFor([&] { return done.load(); }, kConditionTimeout));
  waiter.join();
}

TEST_F(ChangeWaitTest, AWriteNobodySignalledIsSeenAtTheNextRecheck) {
  applyOne("s:1");
  std::atomic<bool> done{false};
  size_t seen = 0;
  std::thread waiter([&] {
    auto changes = waitForChanges(*store_, signal_, 1, 10, kForever, std::chrono::milliseconds(5));
    seen = changes.ok() ? changes->size() : 0;
    done = true;
  });
  applyOne("s:2");  // as by another process: nobody notifies
  bool woke = testing::waitFor([&] { return done.load(); }, kConditionTimeout);
  if (!woke) signal_.stop();
  waiter.join();
  EXPECT_TRUE(woke);
  EXPECT_EQ(seen, 1u);
}

}  // namespace
}  // namespace eichub::http
