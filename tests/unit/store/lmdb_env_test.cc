// LmdbEnv, ReadTxn, WriteTxn and Cursor: abort unless committed, snapshot isolation, cursors,
// read-only envs and the map size bound.
#include "node/store/lmdb_env.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"

namespace eichub::store {
namespace {

std::unique_ptr<LmdbEnv> openEnv(const std::string& dir, LmdbOptions options = {}) {
  auto env = LmdbEnv::open(dir, options);
  EICHUB_CHECK(env.ok()) << env.status().toString();
  return std::move(env).value();
}

TEST(LmdbEnvTest, WriteTxnAbortsUnlessCommitted) {
  eichub::testing::TempDir dir;
  auto env = openEnv(dir.path());
  {
    WriteTxn txn = env->beginWrite().value();
    ASSERT_TRUE(txn.put(Table::kMeta, asBytes("k"), asBytes("dropped")).ok());
    EXPECT_EQ(asChars(txn.get(Table::kMeta, asBytes("k")).value()), "dropped");
  }
  EXPECT_TRUE(env->beginRead().value().get(Table::kMeta, asBytes("k")).status().isNotFound());
  {
    WriteTxn txn = env->beginWrite().value();
    ASSERT_TRUE(txn.put(Table::kMeta, asBytes("k"), asBytes("kept")).ok());
    WriteTxn moved = std::move(txn);  // the moved-from txn must not abort it
    ASSERT_TRUE(moved.commit().ok());
  }
  EXPECT_EQ(asChars(env->beginRead().value().get(Table::kMeta, asBytes("k")).value()), "kept");
}

TEST(LmdbEnvTest, ReadTxnIsASnapshot) {
  eichub::testing::TempDir dir;
  auto env = openEnv(dir.path());
  ReadTxn before = env->beginRead().value();
  {
    WriteTxn txn = env->beginWrite().value();
    ASSERT_TRUE(txn.put(Table::kMeta, asBytes("k"), asBytes("v")).ok());
    ASSERT_TRUE(txn.commit().ok());
  }
  EXPECT_TRUE(before.get(Table::kMeta, asBytes("k")).status().isNotFound());
  EXPECT_TRUE(env->beginRead().value().get(Table::kMeta, asBytes("k")).ok());
}

TEST(LmdbEnvTest, DupsortCursorWalksDuplicatesInOrder) {
  eichub::testing::TempDir dir;
  auto env = openEnv(dir.path());
  {
    WriteTxn txn = env->beginWrite().value();
    for (const char* v : {"c", "a", "b"}) {
      ASSERT_TRUE(txn.put(Table::kText, asBytes("tok"), asBytes(v)).ok());
    }
    ASSERT_TRUE(txn.put(Table::kText, asBytes("zzz"), asBytes("q")).ok());
    EXPECT_TRUE(txn.del(Table::kText, asBytes("tok"), asBytes("b"), true).value());
    EXPECT_FALSE(txn.del(Table::kText, asBytes("tok"), asBytes("b"), true).value());
    ASSERT_TRUE(txn.commit().ok());
  }
  ReadTxn txn = env->beginRead().value();
  EXPECT_TRUE(txn.hasDup(Table::kText, asBytes("tok"), asBytes("c")).value());
  EXPECT_FALSE(txn.hasDup(Table::kText, asBytes("tok"), asBytes("b")).value());
  Cursor cursor = txn.cursor(Table::kText).value();
  Entry entry;
  ASSERT_TRUE(cursor.get(MDB_SET_KEY, &entry, asBytes("tok")).value());
  EXPECT_EQ(cursor.countDups().value(), 2u);
  std::string seen(asChars(entry.value));
  while (cursor.get(MDB_NEXT_DUP, &entry).value()) seen += asChars(entry.value);
  EXPECT_EQ(seen, "ac");
  EXPECT_FALSE(cursor.get(MDB_SET_KEY, &entry, asBytes("nope")).value());
}

TEST(LmdbEnvTest, ReadOnlyEnvRefusesWrites) {
  eichub::testing::TempDir dir;
  LmdbOptions ro;
  ro.read_only = true;
  EXPECT_TRUE(LmdbEnv::open(dir.path(), ro).status().isNotFound());
  { openEnv(dir.path()); }
  auto env = openEnv(dir.path(), ro);
  EXPECT_EQ(env->beginWrite().status().code(), Status::Code::kPermissionDenied);
  EXPECT_TRUE(env->beginRead().ok());
}

TEST(LmdbEnvTest, GrowMapDoublesUpToTheBound) {
  eichub::testing::TempDir dir;
  LmdbOptions options;
  options.initial_map_bytes = 64 * 1024;
  options.max_map_bytes = 160 * 1024;
  auto env = openEnv(dir.path(), options);
  EXPECT_EQ(env->mapBytes(), 64u * 1024);
  ASSERT_TRUE(env->growMap().ok());
  EXPECT_EQ(env->mapBytes(), 128u * 1024);
  ASSERT_TRUE(env->growMap().ok());
  EXPECT_EQ(env->mapBytes(), 160u * 1024);
  EXPECT_EQ(env->growMap().code(), Status::Code::kResourceExhausted);
}

TEST(LmdbEnvTest, MapFullIsFlaggedOnTheTxn) {
  eichub::testing::TempDir dir;
  LmdbOptions options;
  options.initial_map_bytes = 64 * 1024;
  auto env = openEnv(dir.path(), options);
  WriteTxn txn = env->beginWrite().value();
  Bytes big(4000, 'x');
  Status status;
  for (int i = 0; i < 100 && status.ok(); ++i) {
    status = txn.put(Table::kHeaders, asBytes("key" + std::to_string(i)), big);
  }
  EXPECT_EQ(status.code(), Status::Code::kResourceExhausted);
  EXPECT_TRUE(txn.mapFull());
}

}  // namespace
}  // namespace eichub::store
