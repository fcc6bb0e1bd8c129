// Reader slots of dead processes (docs/reliability.md case 39): CLI readers killed with SIGKILL
// inside a read transaction leave their slots in LMDB's reader table; the store frees them, a full
// table's worth of live readers in other processes never gives MDB_READERS_FULL, and the file
// stops growing once the dead readers' snapshots are released.
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/store/lmdb_env.h"
#include "tests/testing/temp_dir.h"

namespace eichub::store {
namespace {

// Another process holding a read transaction on the store in dir, as `eichub get` does while
// it reads: plain LMDB calls, so nothing of ours tidies up behind it. The destructor kills it
// (SIGKILL) and reaps it, unless kill() did.
class ReaderProcess {
 public:
  explicit ReaderProcess(const std::string& dir) {
    int ready[2];
    EICHUB_CHECK(pipe(ready) == 0);
    pid_ = fork();
    EICHUB_CHECK(pid_ >= 0);
    if (pid_ == 0) {
      close(ready[0]);
      MDB_env* env = nullptr;
      MDB_txn* txn = nullptr;
      char ok = mdb_env_create(&env) == 0 && mdb_env_set_maxdbs(env, 16) == 0 &&
                        mdb_env_set_maxreaders(env, 256) == 0 &&
                        mdb_env_open(env, dir.c_str(), MDB_NOTLS | MDB_RDONLY, 0644) == 0 &&
                        mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn) == 0
                    ? 1
                    : 0;
      [[maybe_unused]] auto n = write(ready[1], &ok, 1);
      for (;;) pause();  // holds the snapshot until killed
    }
    close(ready[1]);
    char ok = 0;
    EICHUB_CHECK(read(ready[0], &ok, 1) == 1);
    close(ready[0]);
    opened_ = ok == 1;
  }
  ~ReaderProcess() { kill(); }
  ReaderProcess(const ReaderProcess&) = delete;
  ReaderProcess& operator=(const ReaderProcess&) = delete;

  bool opened() const { return opened_; }
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  pid_t pid_ = 0;
  bool opened_ = false;
};

std::unique_ptr<LmdbEnv> openEnv(const std::string& dir) {
  auto env = LmdbEnv::open(dir, LmdbOptions{});
  EICHUB_CHECK(env.ok()) << env.status().toString();
  return std::move(env).value();
}

void writeOne(LmdbEnv& env, const char* value) {
  WriteTxn txn = env.beginWrite().value();
  ASSERT_TRUE(txn.put(Table::kMeta, asBytes("k"), asBytes(value)).ok());
  ASSERT_TRUE(txn.commit().ok());
}

TEST(StaleReadersTest, SlotsOfKilledReadersAreFreed) {
  eichub::testing::TempDir dir;
  auto env = openEnv(dir.path());
  writeOne(*env, "v1");
  const size_t before = env->readerSlots();
  for (int i = 0; i < 50; ++i) {
    ReaderProcess reader(dir.path());
    ASSERT_TRUE(reader.opened()) << "reader " << i;
    reader.kill();  // SIGKILL inside its read txn
  }
  EXPECT_EQ(env->readerSlots(), before + 50) << "a dead reader's slot stays until checked";
  EXPECT_EQ(env->clearStaleReaders().value(), 50);
  EXPECT_EQ(env->readerSlots(), before);
  EXPECT_EQ(env->clearStaleReaders().value(), 0);
}

TEST(StaleReadersTest, OpeningTheStoreFreesSlotsOfDeadReaders) {
  eichub::testing::TempDir dir;
  openEnv(dir.path());  // creates the store
  for (int i = 0; i < 10; ++i) {
    ReaderProcess reader(dir.path());
    ASSERT_TRUE(reader.opened());
  }  // each killed on leaving the scope
  auto env = openEnv(dir.path());
  EXPECT_EQ(env->readerSlots(), 0u);
}

TEST(StaleReadersTest, TwoHundredLiveReadersLeaveRoomForTheNode) {
  eichub::testing::TempDir dir;
  auto env = openEnv(dir.path());
  writeOne(*env, "old");
  std::vector<std::unique_ptr<ReaderProcess>> readers;
  for (int i = 0; i < 200; ++i) {
    readers.push_back(std::make_unique<ReaderProcess>(dir.path()));
    ASSERT_TRUE(readers.back()->opened()) << "reader " << i << " found the table full";
  }
  EXPECT_EQ(env->readerSlots(), 200u);
  writeOne(*env, "new");  // the readers' snapshots do not block the writer
  ReadTxn txn = env->beginRead().value();
  EXPECT_EQ(asChars(txn.get(Table::kMeta, asBytes("k")).value()), "new");
  EXPECT_EQ(env->clearStaleReaders().value(), 0) << "live readers are not stale";
}

// A dead reader's slot pins its snapshot: no page freed after it can be reused, so rewriting
// the same records grows the file by a copy each time. Once the slot is freed, the rewrites
// reuse those pages and the file stops growing.
TEST(StaleReadersTest, TheFileStopsGrowingOnceDeadReadersAreFreed) {
  eichub::testing::TempDir dir;
  auto env = openEnv(dir.path());
  constexpr int kRecords = 1000;
  constexpr size_t kValueBytes = 1000;
  auto rewriteAll = [&](int round) {
    const std::string value(kValueBytes, static_cast<char>('a' + round % 26));
    WriteTxn txn = env->beginWrite().value();
    for (int i = 0; i < kRecords; ++i) {
      const std::string key = "record/" + std::to_string(i);
      ASSERT_TRUE(txn.put(Table::kMeta, asBytes(key), asBytes(value)).ok());
    }
    ASSERT_TRUE(txn.commit().ok());
  };
  const std::string file = dir.path() + "/data.mdb";
  for (int round = 0; round < 3; ++round) rewriteAll(round);  // a steady state without readers
  const auto steady = std::filesystem::file_size(file);
  {
    ReaderProcess reader(dir.path());
    ASSERT_TRUE(reader.opened());
  }  // killed inside its read transaction
  for (int round = 0; round < 10; ++round) rewriteAll(round);
  const auto pinned = std::filesystem::file_size(file);
  ASSERT_EQ(env->clearStaleReaders().value(), 1);
  for (int round = 0; round < 10; ++round) rewriteAll(round);
  const auto freed = std::filesystem::file_size(file);
  const auto data_bytes = static_cast<uintmax_t>(kRecords) * kValueBytes;
  std::cout << "data.mdb: " << steady << " bytes in a steady state, " << pinned
            << " after 10 rewrites behind a dead reader, " << freed
            << " after 10 more once its slot was freed (" << data_bytes << " bytes of values)\n";
  EXPECT_GT(pinned - steady, 5 * data_bytes) << "a pinned snapshot keeps every rewrite's pages";
  EXPECT_LE(freed - pinned, data_bytes) << "freed pages are reused";
}

}  // namespace
}  // namespace eichub::store
