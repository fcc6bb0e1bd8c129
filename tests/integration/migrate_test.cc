// eichub migrate on a real schema-2 store: refused by this build until migrated, backed up
// first, then upgraded with its change feed filled from the headers held.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <lmdb.h>

#include "node/store/catalog_store.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

ProcessResult eichub(std::vector<std::string> args) {
  args.insert(args.begin(), EICHUB_BINARY);
  return testing::runProcess(args);
}

// Turns a schema-3 store into what a schema-2 build wrote: no changes table, version "2".
void downgradeToVersion2(const std::string& data_dir) {
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  mdb_env_set_maxdbs(env, 32);
  ASSERT_EQ(mdb_env_open(env, data_dir.c_str(), 0, 0644), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
  MDB_dbi meta = 0, changes = 0;
  ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
  ASSERT_EQ(mdb_dbi_open(txn, "changes", 0, &changes), 0);
  ASSERT_EQ(mdb_drop(txn, changes, 1), 0);
  std::string key = "schema_version", value = "2";
  MDB_val k{key.size(), key.data()}, v{value.size(), value.data()};
  ASSERT_EQ(mdb_put(txn, meta, &k, &v, 0), 0);
  ASSERT_EQ(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
}

TEST(MigrateTest, UpgradesAVersion2StoreAfterABackup) {
  testing::TempDir dir;
  const std::string home = dir.file("a");
  ASSERT_EQ(eichub({"init", "--home", home, "--name", "A"}).exit_code, 0);
  std::ofstream(dir.file("r.jsonl")) << R"({"kind":"Provider","id":"p1","name":{"en":"One"}})"
                                     << "\n"
                                     << R"({"kind":"Provider","id":"p2","name":{"en":"Two"}})"
                                     << "\n";
  ASSERT_EQ(eichub({"publish", "--home", home, dir.file("r.jsonl")}).exit_code, 0);
  const std::string digest = eichub({"digest", "--home", home}).out;
  downgradeToVersion2(home + "/data");

  ProcessResult refused = eichub({"status", "--home", home});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("schema version"), std::string::npos) << refused.err;

  const std::string backup = dir.file("before.mdb");
  ProcessResult migrated = eichub({"migrate", "--home", home, "--backup", backup});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  EXPECT_NE(migrated.out.find("from schema version 2 to 3"), std::string::npos) << migrated.out;
  EXPECT_TRUE(fs::is_regular_file(backup));
  EXPECT_EQ(eichub({"digest", "--home", home}).out, digest);

  store::StoreOptions options;
  options.read_only = true;
  auto store = store::CatalogStore::open(home + "/data", options);
  ASSERT_TRUE(store.ok()) << store.status().toString();
  auto changes = (*store)->changes(0, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 3u);  // the cluster profile init wrote, then the two providers
  EXPECT_EQ((*changes)[0].number, 1u);
  EXPECT_EQ((*changes)[0].id, "profile");
  EXPECT_EQ((*changes)[1].id, "p1");
  EXPECT_EQ((*changes)[2].seq, 3u);
  EXPECT_EQ((*changes)[2].number, 3u);

  ProcessResult again = eichub({"migrate", "--home", home, "--backup", dir.file("again.mdb")});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_FALSE(fs::exists(dir.file("again.mdb")));
}

}  // namespace
}  // namespace eichub
