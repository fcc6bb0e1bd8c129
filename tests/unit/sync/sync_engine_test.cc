// SyncEngine tests: two engines wired in-process, each over a real LMDB CatalogStore, with
// real signed feeds. Messages travel through queues the test drains, so every step is
// deterministic and observable.
#include "federation/sync/sync_engine.h"

#include <deque>

#include <gtest/gtest.h>

#include "federation/feed/appender.h"
#include "federation/feed/verify.h"
#include "federation/wire/messages.h"
#include "node/catalog/change.h"
#include "node/store/catalog_store.h"
#include "tests/testing/temp_dir.h"

namespace eichub::sync {
namespace {

constexpr char kNet[] = "test-net";

// Storage over a real CatalogStore whose writer applies at once and queues the outcome.
class TestStorage : public Storage {
 public:
  explicit TestStorage(const std::string& dir) {
    auto opened = store::CatalogStore::open(dir, store::StoreOptions{});
    EXPECT_TRUE(opened.ok());
    store_ = std::move(opened).value();
  }
  Result<std::vector<wire::HeadInfo>> heads() override {
    EICHUB_ASSIGN_OR_RETURN(auto feeds, store_->feeds());
    std::vector<wire::HeadInfo> out;
    for (const auto& f : feeds) out.push_back({f.author, f.head.seq, f.head.hash});
    return out;
  }
  Result<feed::Head> head(const PublicKey& author) override { return store_->head(author); }
  Result<std::vector<feed::SignedUpdate>> read(const PublicKey& author, uint64_t from,
                                               size_t max_count, size_t) override {
    EICHUB_ASSIGN_OR_RETURN(feed::Head h, store_->head(author));
    if (from > h.seq) return std::vector<feed::SignedUpdate>{};
    return store_->readFeed(author, from, h.seq, max_count);
  }
  Status checkBody(const feed::VerifiedUpdate& u) override { return catalog::checkUpdateBody(u); }
  void submit(uint64_t id, std::vector<feed::VerifiedUpdate> batch) override {
    submitted_sizes.push_back(batch.size());
    auto result = store_->apply(batch);
    outcomes.push_back({id, result.ok() ? Status::OK() : result.status()});
  }
  Status recordFork(const wire::ForkProof& proof) override {
    auto f = feed::decodeHeader(proof.first.header);
    if (!f.ok()) return f.status();
    frozen.insert(f->author);
    return Status::OK();
  }
  bool isFrozen(const PublicKey& author) override { return frozen.count(author) != 0; }

  store::CatalogStore& store() { return *store_; }
  std::vector<std::pair<uint64_t, Status>> outcomes;
  std::vector<size_t> submitted_sizes;
  std::set<PublicKey> frozen;

 private:
  std::unique_ptr<store::CatalogStore> store_;
};

class AcceptSet : public TrustPolicy {
 public:
  std::string_view verdict(const feed::HeaderFields& header) const override {
    return keys.count(header.author) != 0 ? "" : "unknown_author";
  }
  uint64_t lastAcceptedSeq(const PublicKey& author) const override {
    return keys.count(author) != 0 ? UINT64_MAX : 0;
  }
  std::set<PublicKey> keys;
};

// A node: storage, trust, engine and its outbox.
struct TestNode {
  TestNode(const std::string& dir, uint32_t credit) : storage(dir) {
    SyncOptions options;
    options.network = kNet;
    options.want_credit = credit;
    engine = std::make_unique<SyncEngine>(
        options, storage, trust,
        [this](LinkId link, Bytes bytes) {
          outbox.push_back({link, std::move(bytes)});
        },
        [this] { return now_ms; });
  }
  TestStorage storage;
  AcceptSet trust;
  std::unique_ptr<SyncEngine> engine;
  std::deque<std::pair<LinkId, Bytes>> outbox;
  int64_t now_ms = 1000;
};

Bytes resourceBody(int i) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Record>().initLearningResource();
  r.setId("r/" + std::to_string(i));
  auto title = r.initTitle(1);
  title[0].setLang("en");
  title[0].setText("Course " + std::to_string(i));
  auto change = catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
  EXPECT_TRUE(change.ok());
  return change->body;
}

class SyncEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(key.ok());
    author_ = std::make_unique<crypto::SigningKey>(std::move(key).value());
    server_ = std::make_unique<TestNode>(dir_.file("server"), 64);
    client_ = std::make_unique<TestNode>(dir_.file("client"), 64);
    client_->trust.keys.insert(author_->publicKey());
    server_->trust.keys.insert(author_->publicKey());
  }
  // Publishes n updates of author_'s feed into the server's store.
  std::vector<feed::VerifiedUpdate> publish(int n) {
    auto head = server_->storage.store().head(author_->publicKey());
    feed::FeedAppender app(*author_, kNet, *head);
    std::vector<feed::VerifiedUpdate> batch;
    for (int i = 0; i < n; ++i) {
      Bytes body = resourceBody(static_cast<int>(head->seq) + i);
      auto change = catalog::checkBody(body);
      batch.push_back(
          app.append(feed::Op::UPSERT, change->kind, change->id, change->tags, body, 1000 + i));
    }
    EXPECT_TRUE(server_->storage.store().apply(batch).ok());
    return batch;
  }
  // Delivers queued messages both ways (client link 1 <-> server link 2) until quiet.
  // Returns the largest number of updates one want made the server send.
  void pump() {
    for (int round = 0; round < 10000; ++round) {
      bool moved = false;
      while (!client_->outbox.empty()) {
        Bytes bytes = std::move(client_->outbox.front().second);
        client_->outbox.pop_front();
        server_->engine->receive(2, bytes);
        moved = true;
      }
      while (!server_->outbox.empty()) {
        Bytes bytes = std::move(server_->outbox.front().second);
        server_->outbox.pop_front();
        auto message = wire::decode(bytes);
        if (message.ok()) {
          if (auto* u = std::get_if<wire::Updates>(&*message))
            sent_per_message_.push_back(u->updates.size());
        }
        client_->engine->receive(1, bytes);
        moved = true;
      }
      auto outcomes = std::move(client_->storage.outcomes);
      client_->storage.outcomes.clear();
      for (auto& [id, status] : outcomes) {
        client_->engine->applied(id, status);
        moved = true;
      }
      if (!moved) return;
    }
    FAIL() << "sync did not settle";
  }
  void connect() {
    server_->engine->linkUp(2, Role::kServer, "client-key");
    client_->engine->linkUp(1, Role::kClient, "server-key");
  }
  uint64_t clientSeq() { return client_->storage.store().head(author_->publicKey())->seq; }

  testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> author_;
  std::unique_ptr<TestNode> server_;
  std::unique_ptr<TestNode> client_;
  std::vector<size_t> sent_per_message_;
};

TEST_F(SyncEngineTest, CatchUpStaysWithinCreditAndConverges) {
  publish(500);
  connect();
  pump();
  EXPECT_EQ(clientSeq(), 500u);
  EXPECT_EQ(*client_->storage.store().digest(), *server_->storage.store().digest());
  for (size_t n : sent_per_message_) EXPECT_LE(n, 64u);  // never more than one want's credit
  EXPECT_FALSE(client_->engine->catchingUp());
  EXPECT_EQ(client_->engine->pendingUpdates(), 0u);
}

TEST_F(SyncEngineTest, LiveHaveTriggersAPull) {
  publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  publish(2);
  server_->engine->localHeadsChanged();
  pump();
  EXPECT_EQ(clientSeq(), 5u);
}

TEST_F(SyncEngineTest, UntrustedAuthorIsNotPulled) {
  client_->trust.keys.clear();
  publish(10);
  connect();
  pump();
  EXPECT_EQ(clientSeq(), 0u);
}

TEST_F(SyncEngineTest, MalformedAndUnsolicitedMessagesAreRejectedAndCounted) {
  publish(2);
  connect();
  pump();
  client_->engine->receive(1, Bytes{1, 2, 3});
  wire::Updates unsolicited;
  for (const auto& u : publish(1)) unsolicited.updates.push_back(u.signed_update);
  client_->engine->receive(1, wire::encode(unsolicited));
  auto stats = client_->engine->linkStats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].rejected_by_reason["malformed message"], 1u);
  EXPECT_EQ(stats[0].rejected_by_reason["unsolicited updates"], 1u);
  EXPECT_EQ(clientSeq(), 2u);
}

TEST_F(SyncEngineTest, ForgedUpdateInTheMiddleOfABatchStoresNothing) {
  auto updates = publish(5);
  connect();
  // Ask for the feed, then answer the want ourselves with a tampered run.
  client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), 5, updates[4].hash}}));
  client_->outbox.clear();
  wire::Updates forged;
  for (const auto& u : updates) forged.updates.push_back(u.signed_update);
  forged.updates[2].header[forged.updates[2].header.size() - 9] ^= 0x01;  // inside the header
  client_->engine->receive(1, wire::encode(forged));
  EXPECT_EQ(clientSeq(), 0u);
  auto stats = client_->engine->linkStats();
  EXPECT_EQ(stats[0].rejected, 1u);
}

TEST_F(SyncEngineTest, ThrottlesALinkThatKeepsSendingGarbage) {
  connect();
  bool accepted = true;
  for (int i = 0; i < 64 && accepted; ++i) accepted = client_->engine->receive(1, Bytes{0xff});
  EXPECT_FALSE(accepted);
  EXPECT_TRUE(client_->engine->linkStats()[0].throttled);
  client_->now_ms += 60'000;  // throttling ends
  EXPECT_TRUE(client_->engine->receive(1, Bytes{0xff}));
}

TEST_F(SyncEngineTest, WantFromAClientThatNeverSaidHelloIsRejected) {
  publish(3);
  server_->engine->linkUp(2, Role::kServer, "client-key");
  server_->engine->receive(2, wire::encode(wire::Want{author_->publicKey(), 1, 10}));
  EXPECT_TRUE(server_->outbox.empty());
  EXPECT_EQ(server_->engine->linkStats()[0].rejected_by_reason["want before hello"], 1u);
}

TEST_F(SyncEngineTest, AConflictingHeaderBecomesAForkProofAndFreezesTheFeed) {
  publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  // The same author signs a different seq 3 (a fork), which the server offers again.
  auto head2 = client_->storage.store().readFeed(author_->publicKey(), 2, 2, 1);
  ASSERT_TRUE(head2.ok());
  auto second = feed::verifyUpdate((*head2)[0], kNet);
  feed::FeedAppender app(*author_, kNet, feed::headAfter(*second));
  Bytes body = resourceBody(99);
  auto change = catalog::checkBody(body);
  feed::VerifiedUpdate other =
      app.append(feed::Op::UPSERT, change->kind, change->id, change->tags, body, 5000);
  client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), 4, other.hash}}));
  client_->outbox.clear();
  wire::Updates conflicting;
  conflicting.updates.push_back(other.signed_update);
  client_->engine->receive(1, wire::encode(conflicting));
  EXPECT_TRUE(client_->storage.frozen.count(author_->publicKey()));
}

}  // namespace
}  // namespace eichub::sync
