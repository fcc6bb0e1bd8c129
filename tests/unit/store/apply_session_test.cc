// ApplySession: batches applied in one write transaction are seen together at commit, or never;
// a map that fills mid-session grows and the session goes on; and one transaction leaves fewer
// free pages in the data file than a commit per batch (the reason it exists).
#include "node/store/apply_session.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using feed::VerifiedUpdate;
using testing::openStore;
using testing::TestFeed;

// count skills with ids in no key order (as ESCO's UUID URIs), labels long enough to fill
// pages.
std::vector<VerifiedUpdate> skills(TestFeed& feed, int first, int count) {
  std::vector<VerifiedUpdate> batch;
  for (int i = first; i < first + count; ++i) {
    const uint32_t scrambled = static_cast<uint32_t>(i) * 2654435761u;
    const std::string id = "esco:" + std::to_string(scrambled) + "-" + std::to_string(i);
    batch.push_back(feed.skill(id, {{"en", "label " + std::to_string(i)}},
                               {{"en", std::string(120, 'a' + i % 26)}}));
  }
  return batch;
}

uint64_t skillCount(const CatalogStore& store) {
  auto counts = store.queries().countsByKind().value();
  auto it = counts.find("Skill");
  return it == counts.end() ? 0 : it->second;
}

TEST(ApplySessionTest, BatchesBecomeVisibleTogetherAtCommit) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  auto session = store->writer().beginApplySession();
  ASSERT_TRUE(session.ok()) << session.status().toString();
  for (int part = 0; part < 3; ++part) {
    auto stats = (*session)->apply(skills(a, part * 100, 100));
    ASSERT_TRUE(stats.ok()) << stats.status().toString();
    EXPECT_EQ(stats->applied, 100u);
    // Readers see the store as it was before the session.
    EXPECT_EQ(store->queries().head(a.author()).value().seq, 0u);
  }
  EXPECT_EQ((*session)->updates(), 300u);
  EXPECT_GT((*session)->bytes(), 300u * 120);
  ASSERT_TRUE((*session)->commit().ok());
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 300u);
  EXPECT_EQ(store->queries().head(a.author()).value().hash, a.head().hash);
  EXPECT_EQ(skillCount(*store), 300u);
  EXPECT_EQ(store->queries().lastChange().value(), 300u);
  // A finished session takes nothing more.
  EXPECT_FALSE((*session)->apply(skills(a, 300, 1)).ok());
  EXPECT_FALSE((*session)->commit().ok());
}

TEST(ApplySessionTest, ASessionNotCommittedLeavesTheStoreAsItWas) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  ASSERT_TRUE(store->writer().apply(skills(a, 0, 10)).ok());
  const Hash32 before = store->queries().digest().value();
  {
    auto session = store->writer().beginApplySession();
    ASSERT_TRUE(session.ok());
    ASSERT_TRUE((*session)->apply(skills(a, 10, 50)).ok());
  }  // dropped: aborted
  EXPECT_EQ(store->queries().digest().value(), before);
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 10u);
  // The write lock was released: the store takes writes again.
  TestFeed b;
  EXPECT_TRUE(store->writer().apply(skills(b, 0, 5)).ok());
}

TEST(ApplySessionTest, ARefusedBatchFailsTheWholeSession) {
  eichub::testing::TempDir dir;
  auto store = openStore(dir.path());
  TestFeed a;
  auto session = store->writer().beginApplySession();
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE((*session)->apply(skills(a, 0, 20)).ok());
  std::vector<VerifiedUpdate> gap = skills(a, 20, 5);
  gap.erase(gap.begin());  // starts at seq 22: a gap
  auto refused = (*session)->apply(std::move(gap));
  EXPECT_EQ(refused.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(gap.size(), 4u);  // a refused batch stays with the caller
  // What the session kept comes back whole (to be applied some other way).
  auto kept = (*session)->takeBatches();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].size(), 20u);
  // The session stays failed, and nothing of it, not even its good first batch, is committed.
  EXPECT_EQ((*session)->apply(skills(a, 25, 1)).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ((*session)->commit().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store->queries().head(a.author()).value().seq, 0u);
  EXPECT_EQ(skillCount(*store), 0u);
}

// A map too small for the session grows, and the batches applied before are applied again in
// the new transaction: everything is committed once.
TEST(ApplySessionTest, AMapThatFillsMidSessionGrowsAndKeepsEveryBatch) {
  eichub::testing::TempDir dir;
  StoreOptions options;
  options.initial_map_bytes = 64 * 1024;
  TestFeed a;
  {
    auto store = openStore(dir.path(), options);
    auto session = store->writer().beginApplySession();
    ASSERT_TRUE(session.ok());
    for (int part = 0; part < 8; ++part) {
      auto stats = (*session)->apply(skills(a, part * 60, 60));
      ASSERT_TRUE(stats.ok()) << stats.status().toString();
      EXPECT_EQ(stats->applied, 60u);
    }
    ASSERT_TRUE((*session)->commit().ok());
    EXPECT_GT(store->mapBytes(), 8 * options.initial_map_bytes);
  }
  auto reopened = openStore(dir.path(), options);
  EXPECT_EQ(reopened->queries().head(a.author()).value().seq, 480u);
  EXPECT_EQ(reopened->queries().head(a.author()).value().hash, a.head().hash);
  EXPECT_EQ(skillCount(*reopened), 480u);
  EXPECT_EQ(reopened->queries().lastChange().value(), 480u);
}

TEST(ApplySessionTest, AMapAtItsCapFailsTheSessionAndChangesNothing) {
  eichub::testing::TempDir dir;
  StoreOptions options;
  options.initial_map_bytes = 64 * 1024;
  options.max_map_bytes = 128 * 1024;
  auto store = openStore(dir.path(), options);
  TestFeed a;
  ASSERT_TRUE(store->writer().apply(skills(a, 0, 1)).ok());
  const Hash32 before = store->queries().digest().value();
  auto session = store->writer().beginApplySession();
  ASSERT_TRUE(session.ok());
  Status status;
  for (int part = 0; part < 10 && status.ok(); ++part) {
    status = (*session)->apply(skills(a, 1 + part * 100, 100)).status();
  }
  if (status.ok()) status = (*session)->commit();
  EXPECT_EQ(status.code(), Status::Code::kResourceExhausted);
  session->reset();
  EXPECT_EQ(store->queries().digest().value(), before);
}

// Each commit copies the index pages its batch changed; ids in no key order change most of them,
// and LMDB keeps the old copies as free pages in the file. One transaction copies them once.
TEST(ApplySessionTest, OneTransactionLeavesASmallerDataFileThanACommitPerBatch) {
  eichub::testing::TempDir per_batch_dir;
  eichub::testing::TempDir session_dir;
  auto per_batch = openStore(per_batch_dir.path());
  auto in_session = openStore(session_dir.path());
  TestFeed a;
  std::vector<std::vector<VerifiedUpdate>> batches;
  for (int part = 0; part < 12; ++part) batches.push_back(skills(a, part * 500, 500));
  for (const auto& batch : batches) ASSERT_TRUE(per_batch->writer().apply(batch).ok());
  auto session = in_session->writer().beginApplySession();
  ASSERT_TRUE(session.ok());
  for (const auto& batch : batches) {
    ASSERT_TRUE((*session)->apply(std::vector<VerifiedUpdate>(batch)).ok());
  }
  ASSERT_TRUE((*session)->commit().ok());

  EXPECT_EQ(per_batch->queries().digest().value(), in_session->queries().digest().value());
  const uint64_t per_batch_bytes = per_batch->storeBytes().value();
  const uint64_t session_bytes = in_session->storeBytes().value();
  EXPECT_LT(session_bytes * 10, per_batch_bytes * 9)
      << "one transaction: " << session_bytes << " bytes, a commit per batch: " << per_batch_bytes;
}

}  // namespace
}  // namespace eichub::store
