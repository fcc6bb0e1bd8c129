// eichub migrate on a home written before feed format 2 (tests/testdata/format1_home, made with
// that tree): refused by this build until migrated, backed up first, then its own records
// re-signed into a format-2 feed (same ids and content), other authors' feeds dropped.
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <gtest/gtest.h>
#include <lmdb.h>
#include <nlohmann/json.hpp>

#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

const std::string kFixture = std::string(EICHUB_TESTDATA) + "/format1_home";
const std::string kSchemaFourFixture = std::string(EICHUB_TESTDATA) + "/schema4_home";
// The same home after `eichub migrate` by a schema-5 build (its README says how it was made):
// the same feeds, so the same exports and digest.
const std::string kSchemaFiveFixture = std::string(EICHUB_TESTDATA) + "/schema5_home";
// The same after `eichub migrate` by a schema-6 build (by_id keyed by a hash of every id).
const std::string kSchemaSixFixture = std::string(EICHUB_TESTDATA) + "/schema6_home";
// The node of schema4_home and the homes made from it.
constexpr char kOwnAuthor[] = "b1469fcd187094398b829f1911227270f2c6604fa25d36e23fb2b5efa4e60766";
constexpr char kOwnId[] = "6a188cd0c594521516d63f8be3e6a7c8e1b38b55f56e8f932d67d48efca10658";

ProcessResult eichub(std::vector<std::string> args) {
  args.insert(args.begin(), EICHUB_BINARY);
  return testing::runProcess(args);
}

// A copy of a fixture's home, with the modes a home's keys must have.
std::string copyFixtureHome(const testing::TempDir& dir, const std::string& fixture = kFixture) {
  const std::string home = dir.file("home");
  fs::copy(fixture + "/home", home, fs::copy_options::recursive);
  fs::permissions(home + "/keys", fs::perms::owner_all);
  for (const auto& key : fs::directory_iterator(home + "/keys")) {
    fs::permissions(key.path(), fs::perms::owner_read | fs::perms::owner_write);
  }
  return home;
}

// Runs edit in one write transaction on the LMDB store in data_dir, opened directly rather than
// through the store's code, and commits it: a store as an older build or damage left it.
void editRawStore(const std::string& data_dir, const std::function<void(MDB_txn*)>& edit) {
  MDB_env* raw_env = nullptr;
  ASSERT_EQ(mdb_env_create(&raw_env), 0);
  std::unique_ptr<MDB_env, decltype(&mdb_env_close)> env(raw_env, &mdb_env_close);
  mdb_env_set_maxdbs(env.get(), 32);
  ASSERT_EQ(mdb_env_open(env.get(), data_dir.c_str(), 0, 0644), 0);
  MDB_txn* txn = nullptr;
  ASSERT_EQ(mdb_txn_begin(env.get(), nullptr, 0, &txn), 0);
  edit(txn);
  if (::testing::Test::HasFatalFailure()) {
    mdb_txn_abort(txn);
    return;
  }
  ASSERT_EQ(mdb_txn_commit(txn), 0);
}

// Turns the fixture's schema-3 store into what a schema-2 build wrote: no changes table.
void downgradeToVersion2(const std::string& data_dir) {
  editRawStore(data_dir, [](MDB_txn* txn) {
    MDB_dbi meta = 0, changes = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    ASSERT_EQ(mdb_dbi_open(txn, "changes", 0, &changes), 0);
    ASSERT_EQ(mdb_drop(txn, changes, 1), 0);
    std::string key = "schema_version", value = "2";
    MDB_val k{key.size(), key.data()}, v{value.size(), value.data()};
    ASSERT_EQ(mdb_put(txn, meta, &k, &v, 0), 0);
  });
}

// Migrates home and checks what a user sees: the same own records, a format-2 feed that
// verifies signature by signature, the other feeds gone.
void expectUpgraded(const testing::TempDir& dir, const std::string& home,
                    const std::string& from_schema) {
  ProcessResult refused = eichub({"status", "--home", home});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("eichub migrate"), std::string::npos) << refused.err;

  const std::string backup = dir.file("before.mdb");
  ProcessResult migrated = eichub({"migrate", "--home", home, "--backup", backup, "--json"});
  ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
  const nlohmann::json outcome = nlohmann::json::parse(migrated.out, nullptr, false);
  ASSERT_TRUE(outcome.is_object()) << migrated.out;
  EXPECT_EQ(outcome["from"], from_schema);
  EXPECT_EQ(outcome["feed_format"], 2);
  EXPECT_EQ(outcome["own_updates_before"], 19);
  EXPECT_EQ(outcome["other_feeds_dropped"], 2);  // Oslo's feed and the vendor's
  EXPECT_EQ(outcome["other_updates_dropped"], 18);
  EXPECT_TRUE(fs::is_regular_file(backup));

  // Every record the old feed held is there with the same content; deleted and erased ones
  // stay gone.
  std::ifstream expected_file(kFixture + "/expected_own_records.json");
  const nlohmann::json expected = nlohmann::json::parse(expected_file);
  for (const auto& [id, record] : expected.items()) {
    ProcessResult got = eichub({"get", "--home", home, id, "--json"});
    if (record.is_null()) {
      EXPECT_NE(got.exit_code, 0) << id << " is back: " << got.out;
      continue;
    }
    ASSERT_EQ(got.exit_code, 0) << id << ": " << got.err;
    const nlohmann::json view = nlohmann::json::parse(got.out, nullptr, false);
    ASSERT_EQ(view["records"].size(), 1u) << got.out;
    EXPECT_EQ(view["records"][0]["author"], kOwnId);
    EXPECT_EQ(view["records"][0]["record"], record) << id;
  }
  // The vendor's delegation (a trust record of the node's feed) is re-signed too.
  EXPECT_EQ(outcome["records_resigned"], 14 - 2 + 1 + 1);  // leeds.jsonl, profile, delegation

  ProcessResult verified = eichub({"verify", "--home", home, "--json"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  ProcessResult status = eichub({"status", "--home", home, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const nlohmann::json feeds = nlohmann::json::parse(status.out, nullptr, false)["feeds"];
  ASSERT_EQ(feeds.size(), 1u) << status.out;

  // The exported feed is format 2 and checks signature by signature; a format-1 feed file is
  // refused with both formats named.
  ASSERT_EQ(eichub({"feed", "export", "--home", home, "--out", dir.file("own.feed")}).exit_code, 0);
  ProcessResult feed = eichub({"feed", "verify", dir.file("own.feed")});
  EXPECT_EQ(feed.exit_code, 0) << feed.err;
  ProcessResult old_file =
      eichub({"feed", "import", "--home", home, kFixture + "/oslo_format1.feed"});
  EXPECT_NE(old_file.exit_code, 0);
  EXPECT_NE(old_file.err.find("feed file format 1, this eichub reads format 2"), std::string::npos)
      << old_file.err;

  ProcessResult again = eichub({"migrate", "--home", home, "--backup", dir.file("again.mdb")});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  EXPECT_FALSE(fs::exists(dir.file("again.mdb")));
}

TEST(MigrateTest, ReSignsAFormatOneHomesOwnRecordsAfterABackup) {
  testing::TempDir dir;
  const std::string home = copyFixtureHome(dir);
  expectUpgraded(dir, home, "3");
}

TEST(MigrateTest, ReSignsASchemaVersion2Home) {
  testing::TempDir dir;
  const std::string home = copyFixtureHome(dir);
  downgradeToVersion2(home + "/data");
  expectUpgraded(dir, home, "2");
}

TEST(MigrateTest, AFailedUpgradeLeavesTheHomeAsItWas) {
  testing::TempDir dir;
  const std::string home = copyFixtureHome(dir);
  std::ofstream(dir.file("taken.mdb")) << "in the way";
  ProcessResult refused = eichub({"migrate", "--home", home, "--backup", dir.file("taken.mdb")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_FALSE(fs::exists(home + "/data.format2"));
  ProcessResult still_old = eichub({"status", "--home", home});
  EXPECT_NE(still_old.err.find("eichub migrate"), std::string::npos) << still_old.err;
}

std::string fileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Migrates a copy of a schema 4, 5 or 6 fixture and checks that every feed is kept and that
// nothing a user or a peer reads changes: digest, feed exports byte for byte (schema4_home's
// files: the fixtures hold the same feeds), records by id, search. Returns migrate's JSON.
nlohmann::json expectFeedsKeptByMigrate(const std::string& fixture) {
  testing::TempDir dir;
  const std::string home = copyFixtureHome(dir, fixture);
  ProcessResult refused = eichub({"status", "--home", home});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("eichub migrate"), std::string::npos) << refused.err;

  const std::string backup = dir.file("before.mdb");
  ProcessResult migrated = eichub({"migrate", "--home", home, "--backup", backup, "--json"});
  EXPECT_EQ(migrated.exit_code, 0) << migrated.err;
  nlohmann::json outcome = nlohmann::json::parse(migrated.out, nullptr, false);
  if (!outcome.is_object()) {
    ADD_FAILURE() << migrated.out;
    return {};
  }
  EXPECT_EQ(outcome["to"], "7");
  EXPECT_EQ(outcome["feeds_kept"], 3);
  EXPECT_EQ(outcome["updates_kept"], 19 + 17 + 1);
  EXPECT_TRUE(fs::is_regular_file(backup));

  ProcessResult digest = eichub({"digest", "--home", home});
  EXPECT_EQ(digest.exit_code, 0) << digest.err;
  EXPECT_EQ(digest.out, "d05f29e25b156cdb1fa2cd98327ede507549cff5f413e0798af98e69b75f2537\n");
  const std::pair<const char*, const char*> feeds[] = {
      {"own.feed", ""},
      {"oslo.feed", "0815d1d39af55f94616b4f0164dfa6c0940fefc2a2943e33e7ab2417b81168ba"},
      {"vendor.feed", "9c7fae907753707f9eb018fd681711b047f5e87e79de3f1a799cee9067f4ef9a"}};
  for (const auto& [file, author] : feeds) {
    std::vector<std::string> args = {"feed", "export", "--home", home, "--out", dir.file(file)};
    if (*author != 0) args.insert(args.end(), {"--author", author});
    EXPECT_EQ(eichub(args).exit_code, 0) << file;
    EXPECT_EQ(fileBytes(dir.file(file)), fileBytes(kSchemaFourFixture + "/" + file)) << file;
  }
  ProcessResult verified = eichub({"verify", "--home", home, "--json"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  ProcessResult found = eichub({"search", "--home", home, "--json", "wound"});
  EXPECT_EQ(found.exit_code, 0) << found.err;
  EXPECT_NE(found.out.find("acme/101"), std::string::npos) << found.out;
  // Records by id go through the by_id index, which the copy rekeys: ids shorter than a hash
  // are their own keys, longer ones keyed by hash; "profile" is held by two authors.
  const std::pair<const char*, std::vector<const char*>> held[] = {
      {"acme/101", {"9c7fae907753707f9eb018fd681711b047f5e87e79de3f1a799cee9067f4ef9a"}},
      {"oslo/lr/skysikkerhet",
       {"0815d1d39af55f94616b4f0164dfa6c0940fefc2a2943e33e7ab2417b81168ba"}},
      {"profile",
       {"0815d1d39af55f94616b4f0164dfa6c0940fefc2a2943e33e7ab2417b81168ba", kOwnAuthor}}};
  for (const auto& [id, authors] : held) {
    ProcessResult by_id = eichub({"get", "--home", home, "--json", id});
    EXPECT_EQ(by_id.exit_code, 0) << id << ": " << by_id.err;
    for (const char* author : authors) {
      EXPECT_NE(by_id.out.find(author), std::string::npos) << id << ": " << by_id.out;
    }
  }
  ProcessResult erased =
      eichub({"get", "--home", home, "--json", "leeds/lr/recognising-deterioration"});
  EXPECT_EQ(erased.out.find("\"author\""), std::string::npos) << erased.out;

  ProcessResult again = eichub({"migrate", "--home", home, "--backup", dir.file("again.mdb")});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  return outcome;
}

// Store schema 4 (feed format 2, bodies raw) to the current one: bodies compressed.
TEST(MigrateTest, UpgradesASchemaFourStoreWithoutChangingItsFeeds) {
  nlohmann::json outcome = expectFeedsKeptByMigrate(kSchemaFourFixture);
  EXPECT_EQ(outcome["from"], "4");
  EXPECT_GT(outcome["bodies_compressed"].get<int>(), 20);
}

// Store schema 5 (by_id keyed by the ids themselves) to the current one: by_id rekeyed.
TEST(MigrateTest, UpgradesASchemaFiveStoreWithoutChangingItsFeeds) {
  nlohmann::json outcome = expectFeedsKeptByMigrate(kSchemaFiveFixture);
  EXPECT_EQ(outcome["from"], "5");
  EXPECT_EQ(outcome["bodies_compressed"], 0);  // compressed already
}

// Store schema 6 (by_id keyed by a hash of every id, which cannot be read back) to the current
// one: by_id made again from the records.
TEST(MigrateTest, UpgradesASchemaSixStoreWithoutChangingItsFeeds) {
  nlohmann::json outcome = expectFeedsKeptByMigrate(kSchemaSixFixture);
  EXPECT_EQ(outcome["from"], "6");
  EXPECT_EQ(outcome["bodies_compressed"], 0);
}

// A schema-6 store whose records table holds a key with no id after its kind and author: by_id
// cannot be made again from it, so the upgrade stops with an error that says so, and the home
// is left as it was (still refused until migrated, no half-made store beside it).
TEST(MigrateTest, ASchemaSixRecordKeyWithoutAnIdStopsTheUpgradeAndLeavesTheHome) {
  testing::TempDir dir;
  const std::string home = copyFixtureHome(dir, kSchemaSixFixture);
  const std::string data = home + "/data";
  editRawStore(data, [](MDB_txn* txn) {
    MDB_dbi records = 0;
    ASSERT_EQ(mdb_dbi_open(txn, "records", 0, &records), 0);
    std::string key(1 + 32, '\x01');  // kind || author, and no id
    MDB_val k{key.size(), key.data()}, v{0, nullptr};
    ASSERT_EQ(mdb_put(txn, records, &k, &v, 0), 0);
  });
  const std::string before = fileBytes(data + "/data.mdb");

  ProcessResult refused = eichub({"migrate", "--home", home, "--backup", dir.file("b.mdb")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("record key without an id"), std::string::npos) << refused.err;
  EXPECT_EQ(fileBytes(data + "/data.mdb"), before);
  EXPECT_FALSE(fs::exists(data + ".schema7"));
  ProcessResult still_old = eichub({"status", "--home", home});
  EXPECT_NE(still_old.exit_code, 0);
  EXPECT_NE(still_old.err.find("eichub migrate"), std::string::npos) << still_old.err;
}

}  // namespace
}  // namespace eichub
