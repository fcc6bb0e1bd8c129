// PostingBuffer: queued postings land sorted under their keys, appended when new, placed by a
// search when their rid is older, dropped on request; an append that does not sort last is
// Corruption.
#include "node/store/internal/posting_buffer.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace eichub::store::internal {
namespace {

Bytes rid(Rid r) {
  auto key = ridKey(r);
  return Bytes(key.begin(), key.end());
}

std::vector<Rid> ridsUnder(LmdbEnv& env, std::string_view key) {
  auto txn = env.beginRead().value();
  auto cursor = txn.cursor(Table::kSkillIndex).value();
  std::vector<Rid> out;
  Entry entry;
  auto more = cursor.get(MDB_SET_KEY, &entry, asBytes(key)).value();
  while (more) {
    out.push_back(decodeRid(entry.value).value());
    more = cursor.get(MDB_NEXT_DUP, &entry).value();
  }
  return out;
}

class PostingBufferTest : public ::testing::Test {
 protected:
  void SetUp() override { env_ = LmdbEnv::open(dir_.path(), {}).value(); }
  Status flush(PostingBuffer& buffer) {
    auto txn = env_->beginWrite().value();
    EICHUB_RETURN_IF_ERROR(buffer.flush(txn));
    return txn.commit();
  }
  eichub::testing::TempDir dir_;
  std::unique_ptr<LmdbEnv> env_;
};

TEST_F(PostingBufferTest, WritesSortedAppendsAndPlacesOlderRids) {
  PostingBuffer buffer(Table::kSkillIndex, kRidBytes);
  for (Rid r : {10, 11, 12}) buffer.add("k", rid(r), /*new_rid=*/true);
  buffer.add("j", rid(10), true);
  ASSERT_TRUE(flush(buffer).ok());
  EXPECT_EQ(ridsUnder(*env_, "k"), (std::vector<Rid>{10, 11, 12}));
  EXPECT_EQ(ridsUnder(*env_, "j"), (std::vector<Rid>{10}));

  // Next batch: new rids added out of order (a record changed twice), an older rid re-indexed.
  for (Rid r : {15, 13}) buffer.add("k", rid(r), true);
  buffer.add("k", rid(5), /*new_rid=*/false);
  buffer.add("k", rid(14), true);
  buffer.drop("k", 14);
  buffer.drop("absent", 14);
  ASSERT_TRUE(flush(buffer).ok());
  EXPECT_EQ(ridsUnder(*env_, "k"), (std::vector<Rid>{5, 10, 11, 12, 13, 15}));

  // Flushing empties the buffer.
  ASSERT_TRUE(flush(buffer).ok());
  EXPECT_EQ(ridsUnder(*env_, "k").size(), 6u);
}

TEST_F(PostingBufferTest, AppendBelowTheLastValueIsCorruption) {
  PostingBuffer buffer(Table::kSkillIndex, kRidBytes);
  buffer.add("k", rid(20), true);
  ASSERT_TRUE(flush(buffer).ok());
  buffer.add("k", rid(7), true);  // claims to be new, but sorts before 20
  Status status = flush(buffer);
  EXPECT_EQ(status.code(), Status::Code::kCorruption) << status.toString();
}

}  // namespace
}  // namespace eichub::store::internal
