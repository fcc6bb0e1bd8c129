// The daemon's single writer: every write (sync batches, HTTP publishes, trust restates, fork
// proofs) is a command it runs on its own thread and answers; a real store and inproc sockets.
#include "node/daemon/writer.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "node/catalog/record_json.h"
#include "node/daemon/batch_group.h"
#include "node/daemon/store_adapter.h"
#include "node/publish/stream_publish.h"
#include "node/store/apply_session.h"
#include "node/store/fork_proofs.h"
#include "tests/testing/temp_dir.h"

namespace eichub::daemon {
namespace {

constexpr char kNet[] = "test-net";

catalog::Change skill(const std::string& id, const std::string& label) {
  auto change =
      catalog::changeFromJson({{"kind", "Skill"}, {"id", id}, {"prefLabel", {{"en", label}}}});
  EXPECT_TRUE(change.ok()) << change.status().toString();
  return *change;
}

std::vector<feed::VerifiedUpdate> signedBatch(feed::FeedAppender& appender,
                                              const std::vector<catalog::Change>& changes) {
  std::vector<feed::VerifiedUpdate> batch;
  for (const catalog::Change& c : changes) {
    batch.push_back(appender.append(c.op, catalog::kindCode(c.kind), c.id, c.tags, c.body, 1000));
  }
  return batch;
}

// The command StoreAdapter::submit makes of a batch.
ApplyBatch batchCommand(uint64_t batch_id, std::vector<feed::VerifiedUpdate> batch) {
  TrustReach reach = trustReachOf(batch);
  return ApplyBatch{batch_id, std::move(batch), std::move(reach)};
}

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::CatalogStore::open(dir_.path(), {}).value();
    node_key_ = std::make_unique<crypto::SigningKey>(crypto::SigningKey::generate().value());
    writer_ = std::make_unique<Writer>(context_, *store_, "test", WriterIdentity{*node_key_, kNet},
                                       signal_);
  }
  void TearDown() override { writer_.reset(); }

  template <typename T>
  T outcome() {
    WriteOutcome out = writer_->receiveOutcome();
    EXPECT_TRUE(std::holds_alternative<T>(out)) << "outcome index " << out.index();
    return std::holds_alternative<T>(out) ? std::get<T>(std::move(out)) : T{};
  }

  testing::TempDir dir_;
  zmq::context_t context_{1};
  std::unique_ptr<store::CatalogStore> store_;
  std::unique_ptr<crypto::SigningKey> node_key_;
  http::ChangeSignal signal_;
  std::unique_ptr<Writer> writer_;
};

TEST_F(WriterTest, AppliesABatchAnswersAndSignalsTheLongPolls) {
  auto peer_key = crypto::SigningKey::generate().value();
  feed::FeedAppender appender(peer_key, kNet, {});
  writer_->submit(
      batchCommand(7, signedBatch(appender, {skill("s:1", "one"), skill("s:2", "two")})));
  auto applied = outcome<BatchApplied>();
  EXPECT_EQ(applied.batch_id, 7u);
  EXPECT_TRUE(applied.status.ok()) << applied.status.toString();
  EXPECT_EQ(applied.applied, 2u);
  // What the batch can change in trust comes back with it: no trust record, the feed's last seq.
  EXPECT_FALSE(applied.reach.trust_records);
  EXPECT_EQ(applied.reach.last_seqs, (std::map<PublicKey, uint64_t>{{peer_key.publicKey(), 2}}));
  EXPECT_EQ(store_->queries().head(peer_key.publicKey())->seq, 2u);
  EXPECT_EQ(signal_.current(), 1u);
}

TEST_F(WriterTest, AFailedBatchIsAnsweredWithItsStatus) {
  auto peer_key = crypto::SigningKey::generate().value();
  feed::FeedAppender appender(peer_key, kNet, {});
  auto batch = signedBatch(appender, {skill("s:1", "one"), skill("s:2", "two")});
  batch.erase(batch.begin());  // a gap: seq 2 without seq 1
  writer_->submit(batchCommand(8, std::move(batch)));
  auto applied = outcome<BatchApplied>();
  EXPECT_EQ(applied.batch_id, 8u);
  EXPECT_FALSE(applied.status.ok());
  EXPECT_EQ(store_->queries().head(peer_key.publicKey())->seq, 0u);
}

// Batches queued while the writer waits for LMDB's write lock (held here by an open session, as
// another process's write would hold it) are applied in one transaction and one commit.
TEST_F(WriterTest, BatchesQueuedBehindOneAnotherAreCommittedTogether) {
  std::vector<crypto::SigningKey> peers;
  for (int i = 0; i < 3; ++i) peers.push_back(crypto::SigningKey::generate().value());
  {
    auto lock = store_->writer().beginApplySession();
    ASSERT_TRUE(lock.ok());
    for (uint64_t i = 0; i < peers.size(); ++i) {
      feed::FeedAppender appender(peers[i], kNet, {});
      writer_->submit(batchCommand(
          i + 1, signedBatch(appender, {skill("s:" + std::to_string(i), "one"),
                                        skill("s:" + std::to_string(i) + "b", "two")})));
    }
  }  // the session aborts: the writer goes on
  size_t grouped = 0;
  for (uint64_t i = 0; i < peers.size(); ++i) {
    auto applied = outcome<BatchApplied>();
    EXPECT_EQ(applied.batch_id, i + 1);
    EXPECT_TRUE(applied.status.ok()) << applied.status.toString();
    EXPECT_EQ(applied.applied, 2u);
    if (applied.committed_with > 1) ++grouped;
    EXPECT_EQ(applied.reach.last_seqs,
              (std::map<PublicKey, uint64_t>{{peers[i].publicKey(), 2}}));  // its own, in a group
    EXPECT_EQ(store_->queries().head(peers[i].publicKey())->seq, 2u);
  }
  // The first may have been taken alone before the others came; the last two were queued.
  EXPECT_GE(grouped, 2u);
}

// A batch's reach: whether it holds a trust record, and each feed's last seq in it.
TEST(TrustReachTest, NamesTrustRecordsAndTheLastSeqOfEachFeed) {
  auto one = crypto::SigningKey::generate().value();
  auto two = crypto::SigningKey::generate().value();
  feed::FeedAppender first(one, kNet, {});
  feed::FeedAppender second(two, kNet, {});
  std::vector<feed::VerifiedUpdate> batch =
      signedBatch(first, {skill("s:1", "one"), skill("s:2", "two"), skill("s:3", "three")});
  batch.push_back(signedBatch(second, {skill("s:4", "four")}).front());
  TrustReach reach = trustReachOf(batch);
  EXPECT_FALSE(reach.trust_records);
  EXPECT_EQ(reach.last_seqs,
            (std::map<PublicKey, uint64_t>{{one.publicKey(), 3}, {two.publicKey(), 1}}));

  batch.push_back(
      second.append(feed::Op::UPSERT, feed::kTrustKind, "trust/1", {}, Bytes{'{', '}'}, 1000));
  reach = trustReachOf(batch);
  EXPECT_TRUE(reach.trust_records);
  EXPECT_EQ(reach.last_seqs[two.publicKey()], 2u);
}

// A group holds at most kMaxGroupedBatches: with twice that and one more queued behind a held
// lock, one group is exactly the bound and none is larger.
TEST_F(WriterTest, AGroupStopsAtItsBound) {
  constexpr size_t kBatches = 2 * kMaxGroupedBatches + 1;
  {
    auto lock = store_->writer().beginApplySession();
    ASSERT_TRUE(lock.ok());
    for (uint64_t i = 1; i <= kBatches; ++i) {
      auto peer = crypto::SigningKey::generate().value();
      feed::FeedAppender appender(peer, kNet, {});
      writer_->submit(
          batchCommand(i, signedBatch(appender, {skill("s:" + std::to_string(i), "x")})));
    }
  }
  size_t largest = 0;
  for (uint64_t i = 1; i <= kBatches; ++i) {
    auto applied = outcome<BatchApplied>();
    EXPECT_EQ(applied.batch_id, i);
    EXPECT_TRUE(applied.status.ok()) << applied.status.toString();
    largest = std::max(largest, applied.committed_with);
  }
  EXPECT_EQ(largest, kMaxGroupedBatches);
}

// A batch that fails inside a group fails alone: the others of the group are applied each in
// its own transaction, in order.
TEST_F(WriterTest, ABadBatchInAGroupFailsAloneAndTheOthersLand) {
  auto first = crypto::SigningKey::generate().value();
  auto good = crypto::SigningKey::generate().value();
  auto bad = crypto::SigningKey::generate().value();
  auto later = crypto::SigningKey::generate().value();
  {
    auto lock = store_->writer().beginApplySession();
    ASSERT_TRUE(lock.ok());
    feed::FeedAppender first_appender(first, kNet, {});
    writer_->submit(batchCommand(1, signedBatch(first_appender, {skill("s:f", "f")})));
    feed::FeedAppender good_appender(good, kNet, {});
    writer_->submit(batchCommand(2, signedBatch(good_appender, {skill("s:g", "g")})));
    feed::FeedAppender bad_appender(bad, kNet, {});
    auto gap = signedBatch(bad_appender, {skill("s:b1", "b"), skill("s:b2", "b")});
    gap.erase(gap.begin());  // seq 2 without seq 1
    writer_->submit(batchCommand(3, std::move(gap)));
    feed::FeedAppender later_appender(later, kNet, {});
    writer_->submit(batchCommand(4, signedBatch(later_appender, {skill("s:l", "l")})));
  }
  for (uint64_t id = 1; id <= 4; ++id) {
    auto applied = outcome<BatchApplied>();
    EXPECT_EQ(applied.batch_id, id);
    EXPECT_EQ(applied.status.ok(), id != 3) << id << ": " << applied.status.toString();
  }
  EXPECT_EQ(store_->queries().head(first.publicKey())->seq, 1u);
  EXPECT_EQ(store_->queries().head(good.publicKey())->seq, 1u);
  EXPECT_EQ(store_->queries().head(bad.publicKey())->seq, 0u);
  EXPECT_EQ(store_->queries().head(later.publicKey())->seq, 1u);
}

std::string skillLine(const std::string& id, const std::string& label) {
  return nlohmann::json{{"kind", "Skill"}, {"id", id}, {"prefLabel", {{"en", label}}}}.dump() +
         "\n";
}

TEST_F(WriterTest, APublishFromAnotherThreadIsWrittenAnsweredAndAnnounced) {
  auto published = writer_->publish(skillLine("s:1", "one") + skillLine("s:2", "two"), {});
  ASSERT_TRUE(published.ok()) << published.status().toString();
  EXPECT_EQ(published->summary.added, 2u);
  EXPECT_EQ(published->summary.batches, 1u);
  EXPECT_EQ(published->report.read, 2u);
  EXPECT_EQ(store_->queries().head(node_key_->publicKey())->seq, 2u);
  // The reactor hears of it at once, and long polls wake.
  outcome<LocalPublished>();
  EXPECT_EQ(signal_.current(), 1u);

  // Unchanged: nothing written, nobody told. Then an erase, counted as the CLI counts it.
  published = writer_->publish(skillLine("s:1", "one"), {});
  ASSERT_TRUE(published.ok());
  EXPECT_EQ(published->summary.unchanged, 1u);
  EXPECT_EQ(signal_.current(), 1u);
  published = writer_->publish(R"({"op":"erase","kind":"Skill","id":"s:2"})", {});
  ASSERT_TRUE(published.ok()) << published.status().toString();
  EXPECT_EQ(published->summary.erased, 1u);
  outcome<LocalPublished>();
  EXPECT_EQ(signal_.current(), 2u);
  EXPECT_EQ(writer_->channel().get(zmq::sockopt::events) & ZMQ_POLLIN, 0);
}

// Strict mode judges the whole body before signing: a bad last line publishes nothing, and the
// error says so; skip_bad publishes the good lines and lists the bad one.
TEST_F(WriterTest, ABadLinePublishesNothingUnlessSkipped) {
  const std::string body = skillLine("s:1", "one") + skillLine("s:2", "two") + "{not json\n";
  auto refused = writer_->publish(body, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().message().starts_with(publish::kNothingPublished))
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("body:3"), std::string::npos);
  EXPECT_EQ(store_->queries().head(node_key_->publicKey())->seq, 0u);
  catalog::LoadOptions skip;
  skip.mode = catalog::ErrorMode::kSkipBad;
  auto published = writer_->publish(body, skip);
  ASSERT_TRUE(published.ok()) << published.status().toString();
  EXPECT_EQ(published->summary.added, 2u);
  EXPECT_EQ(published->report.skipped, 1u);
  ASSERT_EQ(published->report.errors.size(), 1u);
  EXPECT_NE(published->report.errors[0].find("body:3"), std::string::npos);
  outcome<LocalPublished>();
}

// A body of more changes than one part (publish::kStreamBatchChanges) is published in parts:
// every line lands, in file order, and the summary adds the parts up as the CLI does.
TEST_F(WriterTest, ABodyOfSeveralPartsIsPublishedWhole) {
  constexpr size_t kLines = 2 * publish::kStreamBatchChanges + 7;
  std::string body;
  for (size_t i = 0; i < kLines; ++i) body += skillLine("s:" + std::to_string(i), "skill");
  auto published = writer_->publish(body, {});
  ASSERT_TRUE(published.ok()) << published.status().toString();
  EXPECT_EQ(published->summary.added, kLines);
  EXPECT_EQ(published->report.read, kLines);
  EXPECT_EQ(store_->queries().head(node_key_->publicKey())->seq, kLines);
  auto last = store_->queries().record(
      {catalog::Kind::SKILL, node_key_->publicKey(), "s:" + std::to_string(kLines - 1)});
  ASSERT_TRUE(last.ok()) << last.status().toString();
  EXPECT_EQ(last->seq, kLines);
  outcome<LocalPublished>();
}

TEST_F(WriterTest, RefreshTrustRestatesOnTheWriterThread) {
  // A feed nobody trusts: refreshing trust restates it to an empty prefix.
  auto stranger = crypto::SigningKey::generate().value();
  feed::FeedAppender appender(stranger, kNet, {});
  writer_->submit(batchCommand(1, signedBatch(appender, {skill("s:x", "x")})));
  ASSERT_TRUE(outcome<BatchApplied>().status.ok());
  ASSERT_TRUE(store_->queries().record({catalog::Kind::SKILL, stranger.publicKey(), "s:x"}).ok());

  trust::TrustConfig config;
  config.direct = {node_key_->publicKey()};
  writer_->submit(RefreshTrust{policy::NodeTrust{}, config, {}});
  auto refreshed = outcome<TrustRefreshed>();
  ASSERT_TRUE(refreshed.changed.ok()) << refreshed.changed.status().toString();
  feed::HeaderFields header;
  header.author = stranger.publicKey();
  header.seq = 1;
  EXPECT_FALSE(refreshed.trust.verdict(header).empty());
  EXPECT_TRUE(store_->queries()
                  .record({catalog::Kind::SKILL, stranger.publicKey(), "s:x"})
                  .status()
                  .isNotFound());
  EXPECT_EQ(store_->queries().head(stranger.publicKey())->seq, 1u);  // headers stay

  // Which later batches make the reactor refresh again: one of the stranger's judged before the
  // cut was known lands past it; the trusted node's own records do not, its trust records do.
  EXPECT_TRUE(
      mayChangeTrust(trustReachOf(signedBatch(appender, {skill("s:y", "y")})), refreshed.trust));
  feed::FeedAppender own(*node_key_, kNet, {});
  EXPECT_FALSE(
      mayChangeTrust(trustReachOf(signedBatch(own, {skill("s:z", "z")})), refreshed.trust));
  std::vector<feed::VerifiedUpdate> trust_record = {
      own.append(feed::Op::UPSERT, feed::kTrustKind, "trust/1", {}, Bytes{'{', '}'}, 1000)};
  EXPECT_TRUE(mayChangeTrust(trustReachOf(trust_record), refreshed.trust));
}

TEST_F(WriterTest, AForkProofIsStoredByTheWriterAndServedAtOnce) {
  auto author = crypto::SigningKey::generate().value();
  feed::FeedAppender one(author, kNet, {});
  feed::FeedAppender two(author, kNet, {});
  auto held = signedBatch(one, {skill("s:a", "a")});
  auto a = held.front().signed_update;
  auto b = signedBatch(two, {skill("s:b", "b")}).front().signed_update;
  writer_->submit(batchCommand(1, std::move(held)));  // the feed is held: a restart reads its proof
  ASSERT_TRUE(outcome<BatchApplied>().status.ok());
  a.body.clear();
  b.body.clear();
  StoreAdapter adapter(*store_, *writer_);
  ASSERT_TRUE(adapter.recordFork({a, b}).ok());
  EXPECT_TRUE(adapter.isFrozen(author.publicKey()));
  auto proof = adapter.forkProof(author.publicKey());
  ASSERT_TRUE(proof.ok()) << proof.status().toString();
  EXPECT_EQ(proof->second.header, b.header);
  // Commands run in order: once a later one is answered, the proof is in the store.
  writer_->submit(batchCommand(2, {}));
  (void)outcome<BatchApplied>();
  EXPECT_TRUE(store_->meta(store::forkMetaKey(author.publicKey())).ok());
  // A restarted daemon finds it there.
  StoreAdapter restarted(*store_, *writer_);
  EXPECT_TRUE(restarted.isFrozen(author.publicKey()));
}

}  // namespace
}  // namespace eichub::daemon
