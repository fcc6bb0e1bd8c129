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

}  // namespace

Result<FormatUpgrade> upgradeFormatOneHome(const std::string& dir, const std::string& backup_path) {
  std::error_code ec;
  if (!fs::is_regular_file(configPath(dir), ec)) {
    return Status::NotFound(dir + " is not an eichub home (no config.toml)");
  }
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
  fs::remove_all(fresh, ec);  // what an interrupted upgrade left
  if (Status written = writeFormatTwoStore(fresh, options, key, std::move(old.records));
      !written.ok()) {
    fs::remove_all(fresh, ec);
    return written;
  }
  const std::string aside = data + ".format1";
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
  return outcome;
}

}  // namespace eichub::home
