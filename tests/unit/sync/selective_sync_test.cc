// Selective sync and erasure through two in-process engines over real stores: a client that
// subscribes to a sector holds every header and only the subscribed bodies, fetches others on
// demand, refuses bodies that do not match their hash, and never gets an erased body back.
#include <gtest/gtest.h>

#include "federation/sync/sync_engine.h"
#include "node/catalog/subscription.h"
#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync {
namespace {

using testing::kNet;
using testing::SyncEngineTest;
using testing::TestNode;

std::string healthcareIfEven(int i) { return i % 2 == 0 ? "healthcare" : "construction"; }

class SelectiveSyncTest : public SyncEngineTest {
 protected:
  void SetUp() override {
    SyncEngineTest::SetUp();
    catalog::Subscription healthcare;
    healthcare.kinds = {catalog::Kind::LEARNING_RESOURCE};
    healthcare.sectors = {"healthcare"};
    client_ = std::make_unique<TestNode>(dir_.file("selective"), 64, healthcare.bodyFilter());
    client_->trust.keys.insert(author_->publicKey());
  }
  // The bodies the client holds of the author's feed, by seq (empty when not held).
  std::vector<Bytes> clientBodies() {
    auto updates =
        client_->storage.store().queries().readFeed(author_->publicKey(), 1, UINT64_MAX, 100000);
    std::vector<Bytes> out;
    for (auto& u : *updates) out.push_back(std::move(u.body));
    return out;
  }
  LinkStats clientLink() { return client_->engine->linkStats().at(0); }
};

TEST_F(SelectiveSyncTest, HoldsEveryHeaderButOnlyTheSubscribedBodies) {
  auto published = publish(300, healthcareIfEven);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 300u);
  EXPECT_EQ(*client_->storage.store().queries().digest(),
            *server_->storage.store().queries().digest());
  std::vector<Bytes> bodies = clientBodies();
  ASSERT_EQ(bodies.size(), 300u);
  for (size_t i = 0; i < bodies.size(); ++i) {
    if (i % 2 == 0) {
      EXPECT_EQ(bodies[i], published[i].signed_update.body) << i;
    } else {
      EXPECT_TRUE(bodies[i].empty()) << i;
    }
  }
  EXPECT_EQ(clientLink().bodies_received, 150u);
  EXPECT_EQ(server_->engine->linkStats().at(0).bodies_sent, 150u);
  EXPECT_EQ(client_->engine->bodiesPending(), 0u);
  // Only the subscribed records are searchable; the others are known by their headers.
  EXPECT_EQ(client_->storage.store().queries().search({"course", std::nullopt, "", 1000})->size(),
            150u);
  EXPECT_EQ(client_->storage.store().queries().recordsById("r/1")->size(), 1u);
}

TEST_F(SelectiveSyncTest, FetchesAnUnsubscribedBodyWhenAsked) {
  auto published = publish(4, healthcareIfEven);
  connect();
  pump();
  ASSERT_TRUE(clientBodies()[1].empty());
  EXPECT_EQ(client_->engine->fetchBodies({{author_->publicKey(), 2}, {author_->publicKey(), 1}}),
            1u);  // seq 1 is held with its body already
  pump();
  EXPECT_EQ(clientBodies()[1], published[1].signed_update.body);
  EXPECT_EQ(client_->storage.store().queries().search({"course 1", std::nullopt, "", 10})->size(),
            1u);
}

TEST_F(SelectiveSyncTest, ABodyThatDoesNotMatchItsHashIsRefusedAndCounted) {
  publish(4, healthcareIfEven);
  connect();
  pump();
  ASSERT_EQ(client_->engine->fetchBodies({{author_->publicKey(), 2}}), 1u);
  // Deliver the request, then tamper with the server's answer.
  ASSERT_EQ(client_->outbox.size(), 1u);
  server_->engine->receive(2, client_->outbox.front().second);
  client_->outbox.clear();
  ASSERT_EQ(server_->outbox.size(), 1u);
  auto answer = wire::decode(server_->outbox.front().second);
  server_->outbox.clear();
  auto& bodies = std::get<wire::Bodies>(*answer);
  ASSERT_EQ(bodies.items.size(), 1u);
  bodies.items[0].body.back() ^= 0x01;
  client_->engine->receive(1, wire::encode(bodies));
  EXPECT_EQ(clientLink().rejected_by_reason["body hash"], 1u);
  // A body nobody asked for is refused as well.
  wire::Bodies unsolicited{{{{author_->publicKey(), 4}, Bytes(8, 0)}}};
  client_->engine->receive(1, wire::encode(unsolicited));
  EXPECT_EQ(clientLink().rejected_by_reason["unsolicited body"], 1u);
  pump();
  EXPECT_TRUE(clientBodies()[1].empty());
  EXPECT_EQ(clientLink().bodies_received, 2u);      // seqs 1 and 3 during the sync
  EXPECT_EQ(client_->engine->bodiesGivenUp(), 1u);  // the only peer sent a bad one
}

TEST_F(SelectiveSyncTest, AnErasedBodyIsDroppedAndNeverFetchedAgain) {
  publish(2, healthcareIfEven);
  connect();
  pump();
  ASSERT_FALSE(clientBodies()[0].empty());
  // The author erases r/0 (seq 1); the client drops the body it held.
  auto head = server_->storage.store().queries().head(author_->publicKey());
  feed::FeedAppender app(*author_, kNet, *head);
  ASSERT_TRUE(
      server_->storage.store()
          .writer()
          .apply({app.append(feed::Op::ERASE, catalog::kindCode(catalog::Kind::LEARNING_RESOURCE),
                             "r/0", {}, {}, 9000, {1})})
          .ok());
  server_->engine->localHeadsChanged();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  EXPECT_TRUE(clientBodies()[0].empty());
  EXPECT_EQ(*client_->storage.store().queries().digest(),
            *server_->storage.store().queries().digest());
  // Nothing is left to fetch for it: not by the scan, and asking serves nothing.
  auto missing = client_->storage.store().queries().missingBodies(
      [](const feed::HeaderFields& f) { return f.id == "r/0"; }, PublicKey{}, 0, 100);
  EXPECT_TRUE(missing->empty());
  client_->engine->fetchBodies({{author_->publicKey(), 1}});
  pump();
  EXPECT_TRUE(clientBodies()[0].empty());
  EXPECT_EQ(server_->engine->linkStats().at(0).bodies_sent, 1u);  // r/0 once, before the erase
}

TEST_F(SelectiveSyncTest, AFreshClientSeesAnEraseInTheSameRunAndFetchesNothing) {
  publish(2, healthcareIfEven);
  auto head = server_->storage.store().queries().head(author_->publicKey());
  feed::FeedAppender app(*author_, kNet, *head);
  ASSERT_TRUE(
      server_->storage.store()
          .writer()
          .apply({app.append(feed::Op::ERASE, catalog::kindCode(catalog::Kind::LEARNING_RESOURCE),
                             "r/0", {}, {}, 9000, {1})})
          .ok());
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  EXPECT_TRUE(clientBodies()[0].empty());
  EXPECT_EQ(server_->engine->linkStats().at(0).bodies_sent, 0u);
  EXPECT_EQ(*client_->storage.store().queries().digest(),
            *server_->storage.store().queries().digest());
}

TEST_F(SelectiveSyncTest, AWidenedSubscriptionFetchesWhatTheStoreLacks) {
  publish(6, healthcareIfEven);
  connect();
  pump();
  ASSERT_TRUE(clientBodies()[1].empty());
  // The node restarts subscribed to everything: the store scan finds the missing bodies.
  client_.reset();  // one LMDB environment per store and process
  client_ = std::make_unique<TestNode>(dir_.file("selective"), 64);
  client_->trust.keys.insert(author_->publicKey());
  connect();
  pump();
  client_->engine->tick();
  pump();
  for (const Bytes& body : clientBodies()) EXPECT_FALSE(body.empty());
}

}  // namespace
}  // namespace eichub::sync
