// The byte total a feed's head keeps (bodySize summed from seq 1, what byte quotas judge): it
// grows with every update applied, and a heads entry written before byte quotas (56 bytes, no
// total) gets its total from the held headers, once, at the first read-write open.
#include <gtest/gtest.h>

#include "node/store/catalog_store.h"
#include "node/store/internal/keys.h"
#include "node/store/lmdb_env.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using catalog::Kind;
using testing::TestFeed;

// Writes n skills of feed, from skill number from, to store; returns their body sizes' sum.
uint64_t applySkills(CatalogStore& store, TestFeed& feed, int from, int n) {
  uint64_t bytes = 0;
  std::vector<feed::VerifiedUpdate> batch;
  for (int i = from; i < from + n; ++i) {
    batch.push_back(feed.skill("s" + std::to_string(i), {{"en", std::string(i * 10, 'x')}}));
    bytes += batch.back().fields.body_size;
  }
  EXPECT_TRUE(store.writer().apply(batch).ok());
  return bytes;
}

TEST(FeedBytesTest, TheHeadSumsTheBodySizesOfItsFeed) {
  eichub::testing::TempDir dir;
  auto store = CatalogStore::open(dir.path(), {}).value();
  TestFeed a;
  uint64_t bytes = applySkills(*store, a, 1, 3);
  ASSERT_GT(bytes, 0u);
  EXPECT_EQ(store->queries().head(a.author())->bytes, bytes);
  // A delete carries no body; a second batch adds to the total.
  ASSERT_TRUE(store->writer().apply({a.remove(Kind::SKILL, "s1")}).ok());
  bytes += applySkills(*store, a, 4, 2);
  EXPECT_EQ(store->queries().head(a.author())->bytes, bytes);
  EXPECT_EQ(store->queries().head(a.author())->seq, 6u);
  auto feeds = store->queries().feeds().value();
  ASSERT_EQ(feeds.size(), 1u);
  EXPECT_EQ(feeds[0].head.bytes, bytes);
  // A feed not held has no bytes.
  TestFeed b;
  EXPECT_EQ(store->queries().head(b.author())->bytes, 0u);
}

TEST(FeedBytesTest, AHeadWrittenBeforeByteQuotasGetsItsTotalFromTheHeaders) {
  eichub::testing::TempDir dir;
  TestFeed a;
  uint64_t bytes = 0;
  {
    auto store = CatalogStore::open(dir.path(), {}).value();
    bytes = applySkills(*store, a, 1, 4);
  }
  {
    // The heads entry as this store wrote it before byte quotas: without the total.
    auto env = LmdbEnv::open(dir.path(), LmdbOptions{}).value();
    auto txn = env->beginWrite().value();
    Bytes value(txn.get(Table::kHeads, a.author()).value().begin(),
                txn.get(Table::kHeads, a.author()).value().end());
    ASSERT_EQ(value.size(), 64u);
    value.resize(56);
    ASSERT_TRUE(txn.put(Table::kHeads, a.author(), value).ok());
    ASSERT_TRUE(txn.commit().ok());
    auto old = internal::decodeHead(value).value();
    EXPECT_FALSE(old.bytes_known);
    EXPECT_EQ(old.head.seq, 4u);
  }
  {
    // A read-only open reads the total from the headers and writes nothing.
    StoreOptions read_only;
    read_only.read_only = true;
    auto store = CatalogStore::open(dir.path(), read_only).value();
    EXPECT_EQ(store->queries().head(a.author())->bytes, bytes);
    EXPECT_EQ(store->queries().feeds().value()[0].head.bytes, bytes);
  }
  ASSERT_TRUE(CatalogStore::open(dir.path(), {}).ok());
  {
    // The first read-write open completed the entry: no reader sums the feed again.
    LmdbOptions reading;
    reading.read_only = true;
    auto env = LmdbEnv::open(dir.path(), reading).value();
    auto txn = env->beginRead().value();
    auto value = internal::decodeHead(txn.get(Table::kHeads, a.author()).value()).value();
    EXPECT_TRUE(value.bytes_known);
    EXPECT_EQ(value.head.bytes, bytes);
  }
  auto store = CatalogStore::open(dir.path(), {}).value();
  EXPECT_EQ(store->queries().head(a.author())->bytes, bytes);
  EXPECT_EQ(store->queries().feeds().value()[0].head.bytes, bytes);
  bytes += applySkills(*store, a, 5, 1);
  EXPECT_EQ(store->queries().head(a.author())->bytes, bytes);
  // Any other size is refused as corrupt.
  EXPECT_EQ(internal::decodeHead(Bytes(55, 0)).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(internal::decodeHead(Bytes(65, 0)).status().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace eichub::store
