// Store maintenance commands: backup (while the daemon runs), restore, migrate.
#include <chrono>
#include <filesystem>
#include <memory>

#include <fmt/core.h>

#include "node/cli/commands.h"
#include "node/cli/context.h"
#include "node/daemon/control.h"
#include "node/home/format_upgrade.h"
#include "node/store/migrate.h"
#include "node/store/verify.h"

namespace eichub::cli {

namespace fs = std::filesystem;

namespace {

struct BackupFlags {
  CommonFlags common;
  std::string file;
};

// What a store file holds, read by opening it read-only in dir.
struct StoreSummary {
  std::string digest;
  std::string node_id;
  nlohmann::json feeds = nlohmann::json::array();
  uint64_t problems = 0;  // when verified: what store::verifyStore found
  std::string first_problem;
};

// With verify, also checks every signature, link and body held (store::verifyStore): what a
// restore takes must be what its authors signed.
Result<StoreSummary> summarise(const std::string& dir, bool verify = false) {
  store::StoreOptions options;
  options.read_only = true;
  EICHUB_ASSIGN_OR_RETURN(auto store, store::CatalogStore::open(dir, options));
  StoreSummary summary;
  if (verify) {
    EICHUB_ASSIGN_OR_RETURN(store::VerifyReport report, store::verifyStore(*store));
    summary.problems = report.problems.size();
    if (!report.problems.empty()) {
      const store::StoreProblem& first = report.problems.front();
      summary.first_problem = fmt::format("{} at seq {} of {}", store::problemName(first.problem),
                                          first.seq, toHex(first.author));
    }
  }
  EICHUB_ASSIGN_OR_RETURN(Hash32 digest, store->queries().digest());
  EICHUB_ASSIGN_OR_RETURN(auto feeds, store->queries().feeds());
  summary.digest = toHex(digest);
  if (auto node_id = store->meta("node_id"); node_id.ok()) summary.node_id = *node_id;
  for (const store::FeedInfo& feed : feeds) {
    summary.feeds.push_back({{"author", toHex(feed.author)}, {"seq", feed.head.seq}});
  }
  return summary;
}

// A scratch directory beside path, removed on scope exit.
struct ScratchDir {
  explicit ScratchDir(std::string p) : path(std::move(p)) {}
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

int runBackup(const BackupFlags& flags) {
  auto home = openHome(flags.common, true);
  if (!home) return kExitFailure;
  std::error_code ec;
  if (fs::exists(flags.file, ec)) return fail(flags.file + " exists; choose another --out");
  // The copy is written and checked in a scratch directory (LMDB opens directories), then
  // moved into place, so --out only ever names a complete, readable backup.
  ScratchDir scratch(flags.file + ".partial");
  fs::create_directories(scratch.path, ec);
  if (ec) return fail("cannot create " + scratch.path + ": " + ec.message());
  const std::string copy = scratch.path + "/data.mdb";
  if (Status s = home->store().copyTo(copy); !s.ok()) return fail(s.withContext("backup"));
  auto summary = summarise(scratch.path);
  if (!summary.ok()) return fail(summary.status().withContext("the copy does not read back"));
  fs::rename(copy, flags.file, ec);
  if (ec) return fail("cannot move the backup to " + flags.file + ": " + ec.message());
  uint64_t bytes = fs::file_size(flags.file, ec);
  if (flags.common.json) {
    printJson({{"file", flags.file},
               {"bytes", bytes},
               {"digest", summary->digest},
               {"schema_version", store::currentSchemaVersion()},
               {"feeds", summary->feeds}});
  } else {
    fmt::print("backup {} ({} bytes), digest {}\n", flags.file, bytes, summary->digest);
  }
  return kExitOk;
}

int runRestore(const BackupFlags& flags) {
  const std::string dir = home::resolveHomeDir(flags.common.home);
  if (daemon::daemonRunning(dir)) {
    return fail("a daemon is running for " + dir + "; stop it before restoring its store");
  }
  // Read-write: a home rebuilt from its config and keys alone gets an (empty) store to replace.
  auto home = openHome(flags.common, false);
  if (!home) return kExitFailure;
  const std::string own_id = toHex(home->nodeKey().publicKey());
  home.reset();  // the store is replaced below: close it first
  std::error_code ec;
  if (!fs::is_regular_file(flags.file, ec)) return fail(flags.file + " is not a backup file");
  const std::string data = home::dataDir(dir);
  ScratchDir incoming(data + ".restore");
  fs::remove_all(incoming.path, ec);
  fs::create_directories(incoming.path, ec);
  if (!ec) fs::copy_file(flags.file, incoming.path + "/data.mdb", ec);
  if (ec) return fail("cannot copy " + flags.file + ": " + ec.message());
  auto summary = summarise(incoming.path, /*verify=*/true);
  if (!summary.ok()) return fail(summary.status().withContext(flags.file + " is not a store"));
  if (summary->problems != 0) {
    return fail(fmt::format("{} fails verification ({} problems, first: {}); nothing restored",
                            flags.file, summary->problems, summary->first_problem));
  }
  if (summary->node_id.empty()) {
    return fail(flags.file + " names no node: it is not a backup of an eichub home; nothing " +
                "restored");
  }
  if (summary->node_id != own_id) {
    return fail("the backup belongs to node " + summary->node_id + ", not to this home's key " +
                own_id + "; restore it into a home holding that node's keys");
  }
  fs::remove(incoming.path + "/lock.mdb", ec);  // recreated by the next open
  // The store being replaced is kept, not deleted: a restore is undone by renaming it back.
  const std::string kept = fmt::format("{}.before-restore-{}", data,
                                       std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  if (fs::exists(data, ec)) fs::rename(data, kept, ec);
  if (ec) return fail("cannot move the current store aside: " + ec.message());
  fs::rename(incoming.path, data, ec);
  if (ec) return fail("cannot move the restored store into place: " + ec.message());
  if (flags.common.json) {
    printJson({{"restored", flags.file}, {"digest", summary->digest}, {"previous_store", kept}});
  } else {
    fmt::print("restored {} into {}, digest {}; the previous store is in {}\n", flags.file, data,
               summary->digest, kept);
  }
  return kExitOk;
}

// Store schema 4, 5 or 6 to the current one: the same feeds, copied into the current layout.
int runSchemaCopyMigrate(const std::string& dir, const std::string& backup,
                         const BackupFlags& flags) {
  auto copy = home::upgradeStoreSchemaHome(dir, backup);
  if (!copy.ok()) return fail(copy.status().withContext("store not migrated"));
  if (flags.common.json) {
    printJson({{"from", copy->from_schema},
               {"to", store::currentSchemaVersion()},
               {"feed_format", feed::kFeedFormat},
               {"backup", backup},
               {"feeds_kept", copy->feeds},
               {"updates_kept", copy->updates},
               {"bodies_compressed", copy->bodies_compressed},
               {"store_bytes_before", copy->bytes_before},
               {"store_bytes_after", copy->bytes_after}});
  } else {
    fmt::print(
        "store migrated from schema version {} to {}; backup first in {}\n"
        "kept {} feeds ({} updates); {} bodies now compressed; store {} -> {} bytes\n",
        copy->from_schema, store::currentSchemaVersion(), backup, copy->feeds, copy->updates,
        copy->bodies_compressed, copy->bytes_before, copy->bytes_after);
  }
  return kExitOk;
}

int runMigrate(const BackupFlags& flags) {
  const std::string dir = home::resolveHomeDir(flags.common.home);
  if (daemon::daemonRunning(dir)) {
    return fail("a daemon is running for " + dir + "; stop it before migrating its store");
  }
  std::string backup = flags.file;
  if (backup.empty()) {
    backup = fmt::format("{}/backup-before-migrate-{}.mdb", dir,
                         std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
  }
  const std::string data = home::dataDir(dir);
  if (store::copiedSchemaVersion(data)) return runSchemaCopyMigrate(dir, backup, flags);
  if (!store::isFormatOneStore(data)) {
    // Nothing older than this build's layout to upgrade: say so when the store opens as it is.
    store::StoreOptions options;
    options.read_only = true;
    auto current = store::CatalogStore::open(data, options);
    if (!current.ok()) return fail(current.status().withContext("store not migrated"));
    if (flags.common.json) {
      printJson({{"from", store::currentSchemaVersion()}, {"to", store::currentSchemaVersion()}});
    } else {
      fmt::print("store is at schema version {} (feed format {}); nothing to do\n",
                 store::currentSchemaVersion(), feed::kFeedFormat);
    }
    return kExitOk;
  }
  auto outcome = home::upgradeFormatOneHome(dir, backup);
  if (!outcome.ok()) return fail(outcome.status().withContext("store not migrated"));
  if (flags.common.json) {
    printJson({{"from", outcome->from_schema},
               {"to", store::currentSchemaVersion()},
               {"feed_format", feed::kFeedFormat},
               {"backup", outcome->backup_path},
               {"own_updates_before", outcome->own_updates_before},
               {"records_resigned", outcome->records_resigned},
               {"records_without_body", outcome->records_without_body},
               {"other_feeds_dropped", outcome->other_feeds_dropped},
               {"other_updates_dropped", outcome->other_updates_dropped}});
  } else {
    fmt::print(
        "store migrated from schema version {} to {} (feed format 1 to {}); backup first in {}\n"
        "re-signed {} records of this node's feed ({} updates before); {} records held without "
        "a body were not carried over\n"
        "dropped {} feeds of other authors ({} updates): upgraded peers send them again\n",
        outcome->from_schema, store::currentSchemaVersion(), feed::kFeedFormat,
        outcome->backup_path, outcome->records_resigned, outcome->own_updates_before,
        outcome->records_without_body, outcome->other_feeds_dropped,
        outcome->other_updates_dropped);
  }
  return kExitOk;
}

}  // namespace

void addBackupCommands(CLI::App& app, int& exit_code) {
  auto backup_flags = std::make_shared<BackupFlags>();
  CLI::App* backup =
      app.add_subcommand("backup", "Write a consistent copy of the store (daemon may run)");
  addHomeFlag(*backup, backup_flags->common);
  addJsonFlag(*backup, backup_flags->common);
  backup->add_option("--out", backup_flags->file, "Backup file to create")->required();
  backup->callback([backup_flags, &exit_code] { exit_code = runBackup(*backup_flags); });

  auto restore_flags = std::make_shared<BackupFlags>();
  CLI::App* restore = app.add_subcommand(
      "restore", "Replace the store with a backup (daemon stopped; old store kept aside)");
  addHomeFlag(*restore, restore_flags->common);
  addJsonFlag(*restore, restore_flags->common);
  restore->add_option("file", restore_flags->file, "Backup file")->required();
  restore->callback([restore_flags, &exit_code] { exit_code = runRestore(*restore_flags); });

  auto migrate_flags = std::make_shared<BackupFlags>();
  CLI::App* migrate = app.add_subcommand(
      "migrate", "Upgrade a home to this build's feed format and store schema, after a backup");
  addHomeFlag(*migrate, migrate_flags->common);
  addJsonFlag(*migrate, migrate_flags->common);
  migrate->add_option("--backup", migrate_flags->file,
                      "Backup file (default <home>/backup-before-migrate-<time>.mdb)");
  migrate->callback([migrate_flags, &exit_code] { exit_code = runMigrate(*migrate_flags); });
}

}  // namespace eichub::cli
