// Publisher tests: batches signed on another thread land in order, diffs hold across batches.
#include "node/publish/publisher.h"

#include <gtest/gtest.h>

#include "federation/feed/verify.h"
#include "tests/testing/temp_dir.h"

namespace eichub::publish {
namespace {

constexpr char kNet[] = "test-net";

catalog::Change resource(size_t i, const std::string& title) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Record>().initLearningResource();
  r.setId("r/" + std::to_string(i));
  auto t = r.initTitle(1);
  t[0].setLang("en");
  t[0].setText(title);
  auto change = catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
  EXPECT_TRUE(change.ok());
  return *change;
}

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<crypto::SigningKey>(std::move(key).value());
    auto store = store::CatalogStore::open(dir_.path(), store::StoreOptions{});
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
  }
  Result<PublishSummary> publish(const std::vector<catalog::Change>& changes) {
    return publishChanges(*store_, *key_, kNet, changes, {}, [this] { return clock_ms_ += 1; });
  }

  testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> key_;
  std::unique_ptr<store::CatalogStore> store_;
  int64_t clock_ms_ = 1000;
};

TEST_F(PublisherTest, ManyBatchesLandInOrderAndVerify) {
  const size_t n = 2 * kPublishBatchUpdates + 17;
  std::vector<catalog::Change> changes;
  for (size_t i = 0; i < n; ++i) changes.push_back(resource(i, "course " + std::to_string(i)));
  uint64_t last_done = 0;
  auto summary = publishChanges(*store_, *key_, kNet, changes, [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    EXPECT_EQ(total, n);
    last_done = done;
  });
  ASSERT_TRUE(summary.ok()) << summary.status().toString();
  EXPECT_EQ(summary->added, n);
  // Batches of up to kPublishBatchUpdates (smaller at the start and the end), stored in one
  // write transaction (ApplySession).
  EXPECT_EQ(summary->batches, 1u);
  EXPECT_EQ(last_done, n);
  auto head = store_->queries().head(key_->publicKey());
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq, n);
  auto updates = store_->queries().readFeed(key_->publicKey(), 1, n, n);
  ASSERT_TRUE(updates.ok());
  feed::Head chain;
  for (const auto& u : *updates) {
    auto verified = feed::verifyUpdate(u, kNet);  // every signature, not just the last
    ASSERT_TRUE(verified.ok()) << verified.status().toString();
    ASSERT_TRUE(feed::checkLink(chain, verified->fields).ok());
    chain = feed::headAfter(*verified);
  }
  // Indexed from the bodies prepared while drafting: the first, a middle and the last record.
  for (size_t i : {size_t{0}, n / 2, n - 1}) {
    store::SearchQuery query;
    query.text = "course " + std::to_string(i);
    auto hits = store_->queries().search(query);
    ASSERT_TRUE(hits.ok()) << hits.status().toString();
    ASSERT_EQ(hits->size(), 1u) << query.text;
    EXPECT_EQ(hits->front().key.id, "r/" + std::to_string(i));
  }
}

// A transaction that holds kPublishTxnMaxBytes after a batch is committed, and the rest of the
// publish goes into the next one: what the session keeps in memory stays bounded.
TEST_F(PublisherTest, AWriteTransactionEndsOnceItHoldsItsByteBound) {
  constexpr size_t kTextBytes = 40'000;  // two descriptions: about 80 kB per update
  constexpr size_t kBatchBytes = kPublishBatchUpdates * 2 * kTextBytes;
  // The batches that pass the bound: the ones before stay under it, with room for headers.
  constexpr size_t kBatchesToBound = kPublishTxnMaxBytes / kBatchBytes + 1;
  static_assert((kBatchesToBound - 1) * kBatchBytes * 102 / 100 < kPublishTxnMaxBytes);
  const size_t n = kBatchesToBound * kPublishBatchUpdates + 6;
  std::vector<catalog::Change> changes;
  for (size_t i = 0; i < n; ++i) {
    capnp::MallocMessageBuilder message;
    auto r = message.initRoot<schema::Record>().initLearningResource();
    r.setId("r/" + std::to_string(i));
    auto title = r.initTitle(1);
    title[0].setLang("en");
    title[0].setText("course " + std::to_string(i));
    auto description = r.initDescription(2);
    for (unsigned d = 0; d < 2; ++d) {
      description[d].setLang(d == 0 ? "en" : "de");
      description[d].setText(std::string(kTextBytes - 16, 'a' + i % 26) + std::to_string(i));
    }
    auto change = catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
    ASSERT_TRUE(change.ok()) << change.status().toString();
    changes.push_back(std::move(change).value());
  }
  auto summary = publish(changes);
  ASSERT_TRUE(summary.ok()) << summary.status().toString();
  EXPECT_EQ(summary->added, n);
  EXPECT_EQ(summary->batches, 2u);  // the bound was passed once, after kBatchesToBound batches
  EXPECT_EQ(store_->queries().head(key_->publicKey())->seq, n);
}

TEST_F(PublisherTest, LaterChangesSeeEarlierBatchesOfTheSameCall) {
  std::vector<catalog::Change> changes;
  for (size_t i = 0; i < kPublishBatchUpdates; ++i) changes.push_back(resource(i, "first"));
  // In the next batch: delete record 0 (created one batch earlier, maybe not stored yet),
  // repeat record 1 unchanged, change record 2.
  changes.push_back(catalog::deleteChange(catalog::Kind::LEARNING_RESOURCE, "r/0"));
  changes.push_back(resource(1, "first"));
  changes.push_back(resource(2, "second"));
  auto summary = publish(changes);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->added, kPublishBatchUpdates);
  EXPECT_EQ(summary->deleted, 1u);
  EXPECT_EQ(summary->unchanged, 1u);
  EXPECT_EQ(summary->changed, 1u);
  auto zero =
      store_->queries().record({catalog::Kind::LEARNING_RESOURCE, key_->publicKey(), "r/0"});
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->op, feed::Op::DELETE);
}

TEST_F(PublisherTest, RepublishingWritesNothingAndDeletingTheMissingIsUnchanged) {
  std::vector<catalog::Change> changes = {resource(1, "a"), resource(2, "b")};
  ASSERT_TRUE(publish(changes).ok());
  auto digest = store_->queries().digest();
  auto again = publish(changes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->written(), 0u);
  EXPECT_EQ(again->unchanged, 2u);
  auto missing = publish({catalog::deleteChange(catalog::Kind::PROVIDER, "nobody")});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->unchanged, 1u);
  EXPECT_EQ(*store_->queries().digest(), *digest);
  EXPECT_EQ(store_->queries().head(key_->publicKey())->seq, 2u);
}

TEST_F(PublisherTest, EraseNamesEveryVersionNotErasedYet) {
  ASSERT_TRUE(publish({resource(1, "one"), resource(2, "two")}).ok());
  ASSERT_TRUE(publish({resource(1, "one, again")}).ok());
  auto summary = publish({catalog::eraseChange(catalog::Kind::LEARNING_RESOURCE, "r/1")});
  ASSERT_TRUE(summary.ok()) << summary.status().toString();
  EXPECT_EQ(summary->erased, 1u);
  auto erase = store_->queries().readFeed(key_->publicKey(), 4, 4, 1).value();
  ASSERT_EQ(erase.size(), 1u);
  auto fields = feed::decodeHeader(erase[0].header);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->op, feed::Op::ERASE);
  EXPECT_EQ(fields->erases, (std::vector<uint64_t>{1, 3}));
  // Nothing is left to erase; a new version and its erase in one call name only that version.
  EXPECT_EQ(publish({catalog::eraseChange(catalog::Kind::LEARNING_RESOURCE, "r/1")})->unchanged,
            1u);
  summary = publish(
      {resource(1, "three"), catalog::eraseChange(catalog::Kind::LEARNING_RESOURCE, "r/1")});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->erased, 1u);
  fields =
      feed::decodeHeader(store_->queries().readFeed(key_->publicKey(), 6, 6, 1).value()[0].header);
  EXPECT_EQ(fields->erases, (std::vector<uint64_t>{5}));
  EXPECT_EQ(store_->queries().recordsById("r/2").value().size(), 1u);
}

TEST_F(PublisherTest, TimeNeverGoesBackEvenIfTheClockDoes) {
  int64_t clock = 10'000;
  auto backwards = [&] { return clock -= 100; };
  ASSERT_TRUE(
      publishChanges(*store_, *key_, kNet, {resource(1, "a"), resource(2, "b")}, {}, backwards)
          .ok());
  auto updates = store_->queries().readFeed(key_->publicKey(), 1, 2, 2);
  ASSERT_TRUE(updates.ok());
  auto first = feed::decodeHeader((*updates)[0].header);
  auto second = feed::decodeHeader((*updates)[1].header);
  EXPECT_GE(second->time_ms, first->time_ms);
}

}  // namespace
}  // namespace eichub::publish
