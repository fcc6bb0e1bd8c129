// PreparedBody: a batch stored with its bodies prepared beforehand (compressed, terms derived)
// leaves the same store as one stored without; apply takes the prepared work only for the body
// it was prepared from, and refuses a list that does not match the batch.
#include "node/store/prepared_body.h"

#include <gtest/gtest.h>

#include "federation/crypto/sha256.h"
#include "node/store/apply_session.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using feed::VerifiedUpdate;
using testing::openStore;
using testing::TestFeed;

// Upserts of both indexed kinds with bodies long enough to be compressed, a body that is not a
// record (stored, never indexed) and a delete (no body).
std::vector<VerifiedUpdate> mixedBatch(TestFeed& feed) {
  std::vector<VerifiedUpdate> batch;
  for (int i = 0; i < 40; ++i) {
    batch.push_back(feed.skill("esco:s" + std::to_string(i),
                               {{"en", "welding " + std::to_string(i)}},
                               {{"de", std::string(150, 'a' + i % 26)}}));
  }
  batch.push_back(feed.resource("course:1", {{"en", "Safe welding practice"}},
                                {"esco:s1", "esco:s2"}, {{"en", "metalwork"}}));
  batch.push_back(feed.raw(catalog::Kind::LEARNING_RESOURCE, "course:junk", Bytes(300, 0x41)));
  batch.push_back(feed.remove(catalog::Kind::SKILL, "esco:s3"));
  return batch;
}

std::vector<PreparedBody> prepareAll(const std::vector<VerifiedUpdate>& batch) {
  BodyPreparer preparer;
  std::vector<PreparedBody> prepared;
  for (const VerifiedUpdate& update : batch) {
    if (update.fields.op == feed::Op::UPSERT) {
      prepared.push_back(preparer.prepare(update.signed_update.body, update.fields.body_hash));
    } else {
      prepared.emplace_back();
    }
  }
  return prepared;
}

std::vector<std::string> hitIds(const CatalogStore& store, const std::string& text) {
  SearchQuery query;
  query.text = text;
  query.limit = 100;
  auto hits = store.queries().search(query);
  EXPECT_TRUE(hits.ok()) << hits.status().toString();
  std::vector<std::string> ids;
  if (!hits.ok()) return ids;
  for (const SearchHit& hit : *hits) ids.push_back(hit.key.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<ApplyStats> applyInSession(CatalogStore& store, std::vector<VerifiedUpdate> batch,
                                  const std::vector<PreparedBody>& prepared) {
  EICHUB_ASSIGN_OR_RETURN(auto session, store.writer().beginApplySession());
  EICHUB_ASSIGN_OR_RETURN(ApplyStats stats, session->apply(std::move(batch), prepared));
  EICHUB_RETURN_IF_ERROR(session->commit());
  return stats;
}

TEST(PreparedBodyTest, ABatchStoredWithPreparedBodiesEqualsOneStoredWithout) {
  eichub::testing::TempDir plain_dir;
  eichub::testing::TempDir prepared_dir;
  auto plain = openStore(plain_dir.path());
  auto with_prepared = openStore(prepared_dir.path());
  TestFeed a;
  const std::vector<VerifiedUpdate> batch = mixedBatch(a);
  const std::vector<PreparedBody> prepared = prepareAll(batch);
  ASSERT_TRUE(prepared.front().compressed()) << "the fixture's bodies must take the zstd path";
  ASSERT_TRUE(prepared.front().indexed);
  ASSERT_FALSE(prepared[prepared.size() - 2].indexed) << "the junk body reads as no record";

  auto plain_stats = plain->writer().apply(batch);
  ASSERT_TRUE(plain_stats.ok()) << plain_stats.status().toString();
  auto prepared_stats = applyInSession(*with_prepared, batch, prepared);
  ASSERT_TRUE(prepared_stats.ok()) << prepared_stats.status().toString();

  EXPECT_EQ(prepared_stats->applied, plain_stats->applied);
  EXPECT_EQ(prepared_stats->unindexed, 1u);
  EXPECT_EQ(prepared_stats->unindexed, plain_stats->unindexed);
  EXPECT_EQ(with_prepared->queries().digest().value(), plain->queries().digest().value());
  for (const std::string text : {"welding", "welding 7", "metalwork", "safe practice"}) {
    EXPECT_EQ(hitIds(*with_prepared, text), hitIds(*plain, text)) << text;
  }
  EXPECT_EQ(hitIds(*with_prepared, "welding").size(), 40u);  // 39 live skills and the course
  EXPECT_EQ(with_prepared->queries().recordsBySkill("esco:s2").value().size(), 1u);
  // Bodies read back (decompressed from the prepared frames) are the signed ones.
  auto plain_feed = plain->queries().readFeed(a.author(), 1, UINT64_MAX, SIZE_MAX).value();
  auto prepared_feed =
      with_prepared->queries().readFeed(a.author(), 1, UINT64_MAX, SIZE_MAX).value();
  ASSERT_EQ(prepared_feed.size(), batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(prepared_feed[i].body, batch[i].signed_update.body) << "seq " << i + 1;
    EXPECT_EQ(prepared_feed[i].body, plain_feed[i].body) << "seq " << i + 1;
  }
  EXPECT_EQ(with_prepared->storeBytes().value(), plain->storeBytes().value());
}

// The prepared work is trusted when it names the update's body hash (the publisher prepares each
// body it signs), and ignored for any other: apply then does the work itself.
TEST(PreparedBodyTest, ApplyTakesPreparedWorkOnlyForTheBodyHashItNames) {
  TestFeed a;
  const Bytes other_body = testing::skillBody("esco:other", {{"en", "carpentry"}}, {});
  BodyPreparer preparer;

  eichub::testing::TempDir matching_dir;
  auto matching = openStore(matching_dir.path());
  std::vector<VerifiedUpdate> first = {a.skill("esco:1", {{"en", "plumbing"}})};
  // Prepared from another body, but naming this update's hash: taken as it is.
  const std::vector<PreparedBody> claimed = {
      preparer.prepare(other_body, first[0].fields.body_hash)};
  ASSERT_TRUE(applyInSession(*matching, first, claimed).ok());
  EXPECT_EQ(hitIds(*matching, "carpentry"), std::vector<std::string>{"esco:1"});
  EXPECT_TRUE(hitIds(*matching, "plumbing").empty());

  eichub::testing::TempDir mismatched_dir;
  auto mismatched = openStore(mismatched_dir.path());
  TestFeed b;
  std::vector<VerifiedUpdate> second = {b.skill("esco:1", {{"en", "plumbing"}})};
  const std::vector<PreparedBody> honest = {
      preparer.prepare(other_body, crypto::sha256(other_body))};
  ASSERT_TRUE(applyInSession(*mismatched, second, honest).ok());
  EXPECT_EQ(hitIds(*mismatched, "plumbing"), std::vector<std::string>{"esco:1"});
  EXPECT_TRUE(hitIds(*mismatched, "carpentry").empty());
  auto stored = mismatched->queries().readFeed(b.author(), 1, 1, SIZE_MAX).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].body, second[0].signed_update.body);
}

TEST(PreparedBodyTest, AListThatDoesNotMatchTheBatchIsRefusedAndStoresNothing) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  std::vector<VerifiedUpdate> batch = mixedBatch(a);
  std::vector<PreparedBody> prepared = prepareAll(batch);
  prepared.pop_back();
  auto session = store->writer().beginApplySession();
  ASSERT_TRUE(session.ok());
  auto applied = (*session)->apply(std::move(batch), prepared);
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.status().code(), Status::Code::kInvalidArgument);
  EXPECT_FALSE((*session)->commit().ok());
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 0u);
}

}  // namespace
}  // namespace eichub::store
