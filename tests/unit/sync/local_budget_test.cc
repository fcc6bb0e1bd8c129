// This node's own byte budget per author on the receive path (issue 17, finding 5): a client
// pulling two feeds, one of which passes its budget mid-feed, stores that one up to the last
// update within the budget and the other whole; the refusal is counted per author, logged once,
// and never against the link that sent it.
#include <algorithm>

#include <gtest/gtest.h>

#include "federation/sync/sync_engine.h"
#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync {
namespace {

using testing::SyncEngineTest;

constexpr int kPublished = 150;   // more than two wants' credit, so the cut falls mid-run
constexpr size_t kCutAfter = 97;  // the last seq within the budget
constexpr int kMore = 20;

size_t budgetEvents(const std::vector<std::string>& events) {
  return static_cast<size_t>(std::count_if(events.begin(), events.end(), [](const auto& e) {
    return e.find("event=local_budget") != std::string::npos;
  }));
}

TEST_F(SyncEngineTest, AnAuthorPastTheLocalBudgetStopsThereAndOthersKeepSyncing) {
  auto other = crypto::SigningKey::generate();
  ASSERT_TRUE(other.ok());
  client_->trust.keys.insert(other->publicKey());
  server_->trust.keys.insert(other->publicKey());
  const std::vector<feed::VerifiedUpdate> feed = publish(kPublished);
  publishAs(*other, kPublished);
  uint64_t budget = 0;
  for (size_t i = 0; i < kCutAfter; ++i) budget += feed[i].fields.body_size;
  ASSERT_GT(feed[kCutAfter].fields.body_size, 0u);
  client_->trust.local_budget[author_->publicKey()] = budget;
  connect();
  pump();
  store::CatalogStore& held = client_->storage.store();
  EXPECT_EQ(held.queries().head(author_->publicKey())->seq, kCutAfter);
  EXPECT_EQ(held.queries().head(author_->publicKey())->bytes, budget);
  EXPECT_EQ(held.queries().head(other->publicKey())->seq, uint64_t{kPublished});
  // Counted per author, never against the link; logged once.
  const auto& over = client_->engine->overLocalBudget();
  ASSERT_EQ(over.count(author_->publicKey()), 1u);
  EXPECT_GE(over.at(author_->publicKey()), 1u);
  EXPECT_EQ(over.count(other->publicKey()), 0u);
  EXPECT_EQ(client_->engine->linkStats().at(0).rejected, 0u);
  EXPECT_EQ(budgetEvents(client_->events), 1u);
  EXPECT_FALSE(client_->engine->catchingUp());

  // Both authors publish more, announced live: the other's feed keeps syncing, the budgeted one
  // stays at the budget, with no blame and no second log line.
  publish(kMore);
  publishAs(*other, kMore);
  server_->engine->localHeadsChanged();
  pump();
  EXPECT_EQ(held.queries().head(author_->publicKey())->seq, kCutAfter);
  EXPECT_EQ(held.queries().head(other->publicKey())->seq, uint64_t{kPublished + kMore});
  EXPECT_EQ(client_->engine->linkStats().at(0).rejected, 0u);
  EXPECT_FALSE(client_->engine->linkStats().at(0).throttled);
  EXPECT_EQ(budgetEvents(client_->events), 1u);
}

// At the budget exactly, the whole feed is stored and nothing is counted.
TEST_F(SyncEngineTest, ALocalBudgetTheWholeFeedFitsTakesItAll) {
  const std::vector<feed::VerifiedUpdate> feed = publish(kPublished);
  uint64_t total = 0;
  for (const feed::VerifiedUpdate& update : feed) total += update.fields.body_size;
  client_->trust.local_budget[author_->publicKey()] = total;
  connect();
  pump();
  EXPECT_EQ(clientSeq(), uint64_t{kPublished});
  EXPECT_TRUE(client_->engine->overLocalBudget().empty());
  EXPECT_EQ(budgetEvents(client_->events), 0u);
}

}  // namespace
}  // namespace eichub::sync
