// eichub restore verifies what it takes (issue 17, finding 10): a backup with a body altered on
// disk, or a store that names no node, is refused and the home keeps its store; a good backup
// is restored.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "node/store/catalog_store.h"
#include "tests/testing/process.h"
#include "tests/testing/store_flip.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

ProcessResult eichub(std::vector<std::string> args) {
  args.insert(args.begin(), EICHUB_BINARY);
  return testing::runProcess(args);
}

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = dir_.file("a");
    ASSERT_EQ(eichub({"init", "--home", home_, "--name", "A"}).exit_code, 0);
    std::ofstream(dir_.file("r.jsonl")) << R"({"kind":"Provider","id":"p1","name":{"en":"One"}})"
                                        << "\n"
                                        << R"({"kind":"Provider","id":"p2","name":{"en":"Two"}})"
                                        << "\n";
    ASSERT_EQ(eichub({"publish", "--home", home_, dir_.file("r.jsonl")}).exit_code, 0);
    ASSERT_EQ(eichub({"backup", "--home", home_, "--out", dir_.file("good.mdb")}).exit_code, 0);
    digest_ = eichub({"digest", "--home", home_}).out;
  }
  // A copy of the good backup with one bit of seq's stored body flipped.
  std::string alteredBackup(uint64_t seq) {
    const std::string scratch = dir_.file("scratch");
    fs::create_directories(scratch);
    fs::copy_file(dir_.file("good.mdb"), scratch + "/data.mdb");
    store::StoreOptions options;
    options.read_only = true;
    PublicKey author{};
    {
      auto store = store::CatalogStore::open(scratch, options);
      EXPECT_TRUE(store.ok());
      auto id = (*store)->meta("node_id");
      EXPECT_TRUE(id.ok());
      author = *fixedFromHex<kPublicKeyBytes>(*id);
    }
    EXPECT_TRUE(testing::flipStoredBit(scratch, author, seq, testing::StoredPart::kBody, 10).ok());
    fs::copy_file(scratch + "/data.mdb", dir_.file("altered.mdb"));
    return dir_.file("altered.mdb");
  }

  testing::TempDir dir_;
  std::string home_;
  std::string digest_;
};

TEST_F(RestoreTest, ABackupWithAnAlteredBodyIsRefused) {
  ProcessResult refused = eichub({"restore", "--home", home_, alteredBackup(2)});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("fails verification"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("bad_body at seq 2"), std::string::npos) << refused.err;
  EXPECT_EQ(eichub({"digest", "--home", home_}).out, digest_);
}

TEST_F(RestoreTest, AStoreThatNamesNoNodeIsRefused) {
  const std::string bare = dir_.file("bare");
  {
    auto store = store::CatalogStore::open(bare, store::StoreOptions{});
    ASSERT_TRUE(store.ok()) << store.status().toString();
  }
  ProcessResult refused = eichub({"restore", "--home", home_, bare + "/data.mdb"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("names no node"), std::string::npos) << refused.err;
  EXPECT_EQ(eichub({"digest", "--home", home_}).out, digest_);
}

TEST_F(RestoreTest, AGoodBackupIsRestored) {
  std::ofstream(dir_.file("more.jsonl")) << R"({"kind":"Provider","id":"p3","name":{"en":"3"}})"
                                         << "\n";
  ASSERT_EQ(eichub({"publish", "--home", home_, dir_.file("more.jsonl")}).exit_code, 0);
  ASSERT_NE(eichub({"digest", "--home", home_}).out, digest_);
  ProcessResult restored = eichub({"restore", "--home", home_, dir_.file("good.mdb")});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(eichub({"digest", "--home", home_}).out, digest_);
}

}  // namespace
}  // namespace eichub
