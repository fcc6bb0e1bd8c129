// The headers table keyed by arrival and its feed index: feed order back from arrival order,
// every new header at the table's end (full pages whatever the authors' key order), and a
// damaged index named as Corruption.
#include "node/store/internal/header_table.h"

#include <random>

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace eichub::store::internal {
namespace {

PublicKey keyStartingWith(uint8_t first) {
  PublicKey key{};
  key.fill(0x55);
  key[0] = first;
  return key;
}

Bytes valueOf(uint8_t tag, size_t size) { return Bytes(size, tag); }
Bytes copyOf(ByteView bytes) { return Bytes(bytes.begin(), bytes.end()); }

class HeaderTableTest : public ::testing::Test {
 protected:
  void SetUp() override { env_ = LmdbEnv::open(dir_.path(), LmdbOptions{}).value(); }

  // Appends (author, seq) for each pair in order, in one write txn.
  void append(const std::vector<std::pair<PublicKey, uint64_t>>& updates, size_t value_bytes) {
    WriteTxn txn = env_->beginWrite().value();
    HeaderAppender appender = HeaderAppender::start(txn).value();
    for (const auto& [author, seq] : updates) {
      ASSERT_TRUE(
          appender.append(txn, author, seq, valueOf(static_cast<uint8_t>(seq), value_bytes)).ok());
    }
    ASSERT_TRUE(txn.commit().ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<LmdbEnv> env_;
};

TEST_F(HeaderTableTest, FeedOrderComesBackFromArrivalOrder) {
  const PublicKey early = keyStartingWith(0x10), late = keyStartingWith(0xf0);
  append({{late, 1}, {early, 1}, {late, 2}, {early, 2}}, 16);
  append({{early, 3}}, 16);

  ReadTxn txn = env_->beginRead().value();
  FeedWalker walker = FeedWalker::open(txn).value();
  std::vector<std::pair<uint8_t, uint64_t>> seen;
  for (bool more = walker.seek(PublicKey{}, 0).value(); more; more = walker.next().value()) {
    seen.emplace_back(walker.author()[0], walker.seq());
    EXPECT_EQ(copyOf(walker.value()), valueOf(static_cast<uint8_t>(walker.seq()), 16));
  }
  const std::vector<std::pair<uint8_t, uint64_t>> expected = {
      {0x10, 1}, {0x10, 2}, {0x10, 3}, {0xf0, 1}, {0xf0, 2}};
  EXPECT_EQ(seen, expected);
  ASSERT_TRUE(walker.seek(late, 2).value());
  EXPECT_EQ(walker.seq(), 2u);
  EXPECT_FALSE(walker.next().value());

  EXPECT_EQ(copyOf(getHeaderValue(txn, early, 3).value()), valueOf(3, 16));
  EXPECT_TRUE(getHeaderValue(txn, early, 4).status().isNotFound());
}

TEST_F(HeaderTableTest, AHeldSeqIsNotStoredTwiceAndReplacesInPlace) {
  const PublicKey author = keyStartingWith(1);
  append({{author, 1}}, 8);
  {
    WriteTxn txn = env_->beginWrite().value();
    HeaderAppender appender = HeaderAppender::start(txn).value();
    EXPECT_EQ(appender.append(txn, author, 1, valueOf(9, 8)).code(), Status::Code::kCorruption);
    ASSERT_TRUE(replaceHeaderValue(txn, author, 1, valueOf(7, 4)).ok());
    EXPECT_TRUE(replaceHeaderValue(txn, author, 2, valueOf(7, 4)).isNotFound());
    ASSERT_TRUE(txn.commit().ok());
  }
  ReadTxn txn = env_->beginRead().value();
  EXPECT_EQ(copyOf(getHeaderValue(txn, author, 1).value()), valueOf(7, 4));
  EXPECT_EQ(txn.stat(Table::kHeaders).value().ms_entries, 1u);
}

TEST_F(HeaderTableTest, AnIndexEntryWithoutItsHeaderIsCorruption) {
  const PublicKey author = keyStartingWith(1);
  {
    WriteTxn txn = env_->beginWrite().value();
    const Bytes arrival = {0, 0, 0, 0, 0, 0, 0, 42};
    ASSERT_TRUE(txn.put(Table::kFeedIndex, feedIndexKey(author, 1), arrival).ok());
    ASSERT_TRUE(txn.commit().ok());
  }
  ReadTxn txn = env_->beginRead().value();
  EXPECT_EQ(getHeaderValue(txn, author, 1).status().code(), Status::Code::kCorruption);
  FeedWalker walker = FeedWalker::open(txn).value();
  EXPECT_EQ(walker.seek(author, 1).status().code(), Status::Code::kCorruption);
}

// A feed whose author key sorts before another's used to be inserted into the middle of the
// tree, leaving half pages behind; keyed by arrival it fills them.
TEST_F(HeaderTableTest, AFeedThatSortsFirstStillFillsItsPages) {
  const PublicKey first = keyStartingWith(0x01), last = keyStartingWith(0xff);
  append({{last, 1}}, 1000);
  for (uint64_t batch = 0; batch < 10; ++batch) {
    std::vector<std::pair<PublicKey, uint64_t>> updates;
    for (uint64_t i = 1; i <= 200; ++i) updates.emplace_back(first, batch * 200 + i);
    append(updates, 1000);
  }
  ReadTxn txn = env_->beginRead().value();
  const MDB_stat headers = txn.stat(Table::kHeaders).value();
  ASSERT_EQ(headers.ms_entries, 2001u);
  // 1,000-byte values: 3 fit a 4 KiB page (1,365 bytes each); half pages would give 2,048.
  const double bytes_per_entry =
      static_cast<double>(headers.ms_leaf_pages + headers.ms_branch_pages) * headers.ms_psize /
      static_cast<double>(headers.ms_entries);
  EXPECT_LT(bytes_per_entry, 1450) << headers.ms_leaf_pages << " leaf pages";
}

}  // namespace
}  // namespace eichub::store::internal
