// SyncContext: rejections counted and throttling, which links may be asked, throttles ending,
// our hello, held updates read back, and what was sent counted by type.
#include "federation/sync/sync_context.h"

#include <limits>

#include <gtest/gtest.h>

#include "tests/unit/sync/part_harness.h"

namespace eichub::sync {
namespace {

using SyncContextTest = testing::PartTest;

TEST_F(SyncContextTest, EveryRejectLimitThRejectionThrottlesTheLink) {
  for (int i = 0; i < 3; ++i) context_->reject(1, "bad want");
  EXPECT_EQ(context_->link(1).throttled_until_ms, 0);
  context_->reject(1, "broken chain");
  EXPECT_EQ(context_->link(1).throttled_until_ms, now_ms_ + SyncOptions{}.throttle_ms);
  EXPECT_TRUE(context_->link(1).stats.throttled);
  EXPECT_EQ(context_->link(1).stats.rejected, 4u);
  EXPECT_EQ(rejected(1, "bad want"), 3u);
  EXPECT_EQ(rejected(1, "broken chain"), 1u);
  ASSERT_EQ(rejects_.size(), 4u);  // each one told, for the log
  EXPECT_EQ(rejects_.back(), (std::pair<LinkId, std::string>{1, "broken chain"}));
  EXPECT_EQ(context_->link(2).stats.rejected, 0u);
}

TEST_F(SyncContextTest, OnlyUpUnthrottledClientLinksAreAsked) {
  const wire::HeadInfo head{author(), 9, {}};
  up(1, Role::kClient).remote_heads[author()] = head;
  up(2, Role::kServer).remote_heads[author()] = {author(), 20, {}};  // serves nothing to us
  context_->link(3).remote_heads[author()] = {author(), 30, {}};     // down
  LinkState& throttled = up(4, Role::kClient);
  throttled.remote_heads[author()] = {author(), 40, {}};
  throttled.throttled_until_ms = now_ms_ + 1;

  ASSERT_NE(context_->askableHead(context_->link(1), author(), now_ms_), nullptr);
  EXPECT_EQ(*context_->askableHead(context_->link(1), author(), now_ms_), head);
  EXPECT_EQ(context_->askableHead(context_->link(2), author(), now_ms_), nullptr);
  EXPECT_EQ(context_->askableHead(context_->link(3), author(), now_ms_), nullptr);
  EXPECT_EQ(context_->askableHead(context_->link(4), author(), now_ms_), nullptr);
  EXPECT_NE(context_->askableHead(context_->link(4), author(), now_ms_ + 1), nullptr);
  EXPECT_EQ(context_->highestAnnounced(author()), 9u);
  EXPECT_EQ(context_->askableLinks(now_ms_), (std::vector<LinkId>{1}));
  EXPECT_EQ(context_->askableLinks(now_ms_ + 1), (std::vector<LinkId>{1, 4}));
  EXPECT_TRUE(context_->clientUp());
}

TEST_F(SyncContextTest, AnEndedThrottleNamesTheFeedsItsLinkAnnounced) {
  LinkState& link = up(1, Role::kClient);
  link.remote_heads[author()] = {author(), 3, {}};
  EXPECT_EQ(context_->nextThrottleEndMs(), std::numeric_limits<int64_t>::max());
  for (int i = 0; i < 4; ++i) context_->reject(1, "bad");
  ASSERT_TRUE(link.stats.throttled);
  EXPECT_TRUE(context_->endThrottles(now_ms_).empty());
  const int64_t end = link.throttled_until_ms;
  EXPECT_EQ(context_->nextThrottleEndMs(), end);  // when the daemon must wake for it
  EXPECT_EQ(context_->endThrottles(end), (std::vector<PublicKey>{author()}));
  EXPECT_FALSE(link.stats.throttled);
  EXPECT_EQ(link.throttled_until_ms, 0);
  EXPECT_TRUE(context_->endThrottles(end).empty());  // once
  EXPECT_EQ(context_->nextThrottleEndMs(), std::numeric_limits<int64_t>::max());
}

TEST_F(SyncContextTest, OurHelloCarriesTheStoresHeadsAndHeldUpdatesReadBack) {
  auto updates = store(3);
  auto hello = context_->hello();
  ASSERT_TRUE(hello.ok()) << hello.status().toString();
  EXPECT_EQ(hello->protocol_version, wire::protocolVersion());
  EXPECT_EQ(hello->network, testing::kNet);
  ASSERT_EQ(hello->heads.size(), 1u);
  EXPECT_EQ(hello->heads[0], (wire::HeadInfo{author(), 3, updates[2].hash}));
  EXPECT_EQ(context_->heldHash(author(), 2), updates[1].hash);
  EXPECT_EQ(context_->heldUpdate(author(), 2)->header, updates[1].signed_update.header);
  EXPECT_FALSE(context_->heldUpdate(author(), 4));
  EXPECT_FALSE(context_->heldHash(author(), 4));
}

TEST_F(SyncContextTest, SentMessagesAreCountedByTypeWithTheirEncodedBytes) {
  EXPECT_TRUE(context_->sentByType().empty());
  context_->send(1, wire::Bye{});
  context_->send(2, wire::Bye{});
  context_->send(1, wire::Have{{author(), 7, {}}});
  uint64_t outbox_bytes = 0;
  for (const auto& [link, bytes] : outbox_) outbox_bytes += bytes.size();
  const auto& sent = context_->sentByType();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent.at("bye").messages, 2u);
  EXPECT_EQ(sent.at("have").messages, 1u);
  EXPECT_GT(sent.at("have").bytes, 32u);  // the author's key at least
  EXPECT_EQ(sent.at("bye").bytes + sent.at("have").bytes, outbox_bytes);
}

TEST_F(SyncContextTest, AnEmptyBodyFilterWantsEveryBody) {
  feed::HeaderFields fields;
  EXPECT_TRUE(context_->wantsBody(fields));
  context_->setBodyFilter([](const feed::HeaderFields& f) { return f.id == "kept"; });
  EXPECT_FALSE(context_->wantsBody(fields));
  fields.id = "kept";
  EXPECT_TRUE(context_->wantsBody(fields));
  const uint64_t batch = context_->nextBatchId();
  EXPECT_EQ(context_->nextBatchId(), batch + 1);
}

}  // namespace
}  // namespace eichub::sync
