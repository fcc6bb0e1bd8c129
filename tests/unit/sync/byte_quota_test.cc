// The byte quota on the receive path (issue 17, finding 5): a client pulling a feed whose
// author's quota ends mid-feed stores the updates up to the last one within it, refuses the
// next as over_quota (counted on the link), and its head's byte total is the feed's sum there.
#include <gtest/gtest.h>

#include "federation/sync/sync_engine.h"
#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync {
namespace {

using testing::SyncEngineTest;

constexpr int kPublished = 150;   // more than two wants' credit, so the cut falls mid-run
constexpr size_t kCutAfter = 97;  // the last seq within the quota

TEST_F(SyncEngineTest, AFeedIsStoredUpToItsByteQuotaAndRefusedPastIt) {
  const std::vector<feed::VerifiedUpdate> feed = publish(kPublished);
  uint64_t quota = 0;
  for (size_t i = 0; i < kCutAfter; ++i) quota += feed[i].fields.body_size;
  ASSERT_GT(feed[kCutAfter].fields.body_size, 0u);
  client_->trust.max_bytes[author_->publicKey()] = quota;
  connect();
  pump();
  EXPECT_EQ(clientSeq(), kCutAfter);
  EXPECT_EQ(client_->storage.store().queries().head(author_->publicKey())->bytes, quota);
  EXPECT_GE(client_->engine->linkStats().at(0).rejected_by_reason["over_quota"], 1u);
  // The server keeps all of it (it judges no quota here) and the client does not ask again.
  EXPECT_EQ(server_->storage.store().queries().head(author_->publicKey())->seq,
            uint64_t{kPublished});
  EXPECT_FALSE(client_->engine->catchingUp());
  // The server holds more, but nothing it holds past the quota may be pulled: not withheld.
  client_->now_ms += 3'600'000;
  auto states = client_->engine->feedStates();
  ASSERT_TRUE(states.ok());
  ASSERT_EQ(states->size(), 1u);
  EXPECT_EQ(states->at(0).best_remote_seq, uint64_t{kPublished});
  EXPECT_FALSE(states->at(0).stale);
}

TEST_F(SyncEngineTest, AByteQuotaTheWholeFeedFitsTakesItAll) {
  const std::vector<feed::VerifiedUpdate> feed = publish(kPublished);
  uint64_t total = 0;
  for (const feed::VerifiedUpdate& update : feed) total += update.fields.body_size;
  client_->trust.max_bytes[author_->publicKey()] = total;
  connect();
  pump();
  EXPECT_EQ(clientSeq(), uint64_t{kPublished});
  EXPECT_EQ(client_->storage.store().queries().head(author_->publicKey())->bytes, total);
  EXPECT_EQ(client_->engine->linkStats().at(0).rejected, 0u);
}

}  // namespace
}  // namespace eichub::sync
