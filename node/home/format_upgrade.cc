// upgradeFormatOneHome: read the old store's own records, publish them into a new store, swap.
#include "node/home/format_upgrade.h"

#include <filesystem>

#include "node/catalog/change.h"
#include "node/config/options.h"
#include "node/home/home.h"
#include "node/publish/publisher.h"
#include "node/store/migrate.h"

namespace eichub::home {
namespace {

namespace fs = std::filesystem;

// Publishes records into a new store at dir, owned by key.
Status writeFormatTwoStore(const std::string& dir, const config::Options& options,
                           const crypto::SigningKey& key, std::vector<store::HeldRecord> records) {
  EICHUB_ASSIGN_OR_RETURN(auto store, store::CatalogStore::open(dir, storeOptions(options, false)));
  EICHUB_RETURN_IF_ERROR(store->setMeta("node_id", toHex(key.publicKey())));
  std::vector<catalog::Change> changes;
  changes.reserve(records.size());
  for (store::HeldRecord& record : records) {
    changes.push_back(catalog::Change{feed::Op::UPSERT, record.kind, std::move(record.id),
                                      std::move(record.tags), std::move(record.body)});
  }
  EICHUB_ASSIGN_OR_RETURN(publish::PublishSummary summary,
                          publish::publishChanges(*store, key, options.network, changes));
  if (summary.added != changes.size()) {
    return Status::Corruption(
        "the old feed holds a record twice",
        std::to_string(summary.added) + " of " + std::to_string(changes.size()) + " re-signed");
  }
  return Status::OK();
}

// Puts the complete new store at fresh in place of the one at data, which is removed once the new
// one is there. On an error the old store stays (or is put back) in place.
Status swapInStore(const std::string& data, const std::string& fresh, const std::string& aside) {
  std::error_code ec;
  fs::remove_all(aside, ec);
  fs::rename(data, aside, ec);
  if (ec) return Status::IOError("cannot move the old store aside", ec.message());
  fs::rename(fresh, data, ec);
  if (ec) {
    std::error_code undo;
    fs::rename(aside, data, undo);
    return Status::IOError("cannot move the upgraded store into place", ec.message());
  }
  fs::remove_all(aside, ec);
  return Status::OK();
}

Status requireHome(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(configPath(dir), ec)) {
    return Status::NotFound(dir + " is not an eichub home (no config.toml)");
  }
  return Status::OK();
}

}  // namespace

Result<FormatUpgrade> upgradeFormatOneHome(const std::string& dir, const std::string& backup_path) {
  EICHUB_RETURN_IF_ERROR(requireHome(dir));
  EICHUB_ASSIGN_OR_RETURN(config::Options options, config::loadOptions(configPath(dir)));
  EICHUB_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::SigningKey::loadPem(nodeKeyPath(dir)));
  const std::string data = dataDir(dir);
  EICHUB_ASSIGN_OR_RETURN(store::FormatOneContent old,
                          store::readFormatOneStore(data, key.publicKey(), backup_path));
  FormatUpgrade outcome;
  outcome.from_schema = old.schema_version;
  outcome.backup_path = backup_path;
  outcome.own_updates_before = old.own_updates;
  outcome.records_resigned = old.records.size();
  outcome.records_without_body = old.records_without_body;
  outcome.other_feeds_dropped = old.other_feeds;
  outcome.other_updates_dropped = old.other_updates;

  // Written beside the old store and swapped in only when whole: a failure before the swap
  // leaves the home as it was (and the backup).
  const std::string fresh = data + ".format2";
  std::error_code ec;
  fs::remove_all(fresh, ec);  // what an interrupted upgrade left
  if (Status written = writeFormatTwoStore(fresh, options, key, std::move(old.records));
      !written.ok()) {
    fs::remove_all(fresh, ec);
    return written;
  }
  EICHUB_RETURN_IF_ERROR(swapInStore(data, fresh, data + ".format1"));
  return outcome;
}

Result<store::SchemaCopy> upgradeStoreSchemaHome(const std::string& dir,
                                                 const std::string& backup_path) {
  EICHUB_RETURN_IF_ERROR(requireHome(dir));
  const std::string data = dataDir(dir);
  const std::string fresh = data + ".schema" + store::currentSchemaVersion();
  std::error_code ec;
  fs::remove_all(fresh, ec);  // what an interrupted upgrade left
  auto copy = store::copyIntoCurrentSchema(data, fresh, backup_path);
  if (!copy.ok()) {
    fs::remove_all(fresh, ec);
    return copy.status();
  }
  EICHUB_RETURN_IF_ERROR(swapInStore(data, fresh, data + ".schema" + copy->from_schema));
  return copy;
}

}  // namespace eichub::home
