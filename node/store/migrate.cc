// Schema migrations of the LMDB store, one function per step.
#include "node/store/migrate.h"

#include "node/store/catalog_store.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"
#include "node/store/lmdb_env.h"

namespace eichub::store {
namespace {

constexpr std::string_view kVersion2 = "2";

// Version 2 -> 3: one change entry per stored header, numbered in headers key order (feed by
// feed, seq order within a feed, which is all the change feed promises for old updates).
Status fillChanges(WriteTxn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor headers, txn.cursor(Table::kHeaders));
  Entry entry;
  uint64_t number = 1;
  std::vector<std::pair<std::array<uint8_t, 8>, Bytes>> changes;
  EICHUB_ASSIGN_OR_RETURN(bool more, headers.get(MDB_FIRST, &entry));
  while (more) {
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue value, internal::decodeHeaderValue(entry.value));
    auto fields = feed::decodeHeader(value.header);
    if (!fields.ok())
      return Status::Corruption("stored header does not decode", fields.status().message());
    changes.emplace_back(
        internal::changeKey(number++),
        internal::encodeChange(fields->author, fields->seq, fields->kind, fields->op, fields->id));
    EICHUB_ASSIGN_OR_RETURN(more, headers.get(MDB_NEXT, &entry));
  }
  // Written after the scan: a put would invalidate the views the cursor returned.
  for (const auto& [key, value] : changes) {
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kChanges, key, value, MDB_APPEND));
  }
  return txn.put(Table::kMeta, asBytes(internal::kSchemaVersionKey),
                 asBytes(internal::kSchemaVersion));
}

}  // namespace

std::string currentSchemaVersion() { return std::string(internal::kSchemaVersion); }

Result<MigrateOutcome> migrateStore(const std::string& dir, const std::string& backup_path) {
  MigrateOutcome outcome;
  outcome.to_version = currentSchemaVersion();
  // A store at the current version opens as it is.
  {
    StoreOptions options;
    options.read_only = true;
    auto current = CatalogStore::open(dir, options);
    if (current.ok()) {
      outcome.from_version = outcome.to_version;
      return outcome;
    }
    // Only a version mismatch (or the new tables missing) is ours to fix.
    if (current.status().code() != Status::Code::kCorruption) return current.status();
  }
  // Opening with the old version's key check creates the new (empty) tables, which an older
  // build ignores, so the backup below is still a valid old store.
  LmdbOptions options;
  options.schema_key = internal::kSchemaVersionKey;
  options.schema_version = kVersion2;
  auto env = LmdbEnv::open(dir, options);
  if (!env.ok()) {
    return env.status().withContext("this build upgrades schema version 2 only");
  }
  outcome.from_version = std::string(kVersion2);
  EICHUB_RETURN_IF_ERROR((*env)->copyTo(backup_path));
  outcome.backup_path = backup_path;
  for (;;) {
    bool map_full = false;
    Status status;
    {
      EICHUB_ASSIGN_OR_RETURN(WriteTxn txn, (*env)->beginWrite());
      status = fillChanges(txn);
      if (status.ok()) status = txn.commit();
      map_full = txn.mapFull();
    }
    if (!map_full) {
      EICHUB_RETURN_IF_ERROR(status);
      return outcome;
    }
    EICHUB_RETURN_IF_ERROR((*env)->growMap());
  }
}

}  // namespace eichub::store
