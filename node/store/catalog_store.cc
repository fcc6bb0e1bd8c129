// CatalogStore: opening a store (schema version check, heads completed), its meta values and
// what concerns the environment as a whole (size, reader slots, a consistent copy).
#include "node/store/catalog_store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"

namespace eichub::store {
namespace {

using internal::kSchemaVersion;
using internal::kSchemaVersionKey;

// Reads the schema version; *absent is set when there is none. Errors: Corruption for a
// version this build does not know, lmdbStatus.
Status checkVersion(const Txn& txn, bool* absent) {
  auto version = txn.get(Table::kMeta, asBytes(kSchemaVersionKey));
  *absent = !version.ok() && version.status().isNotFound();
  if (*absent) return Status::OK();
  if (!version.ok()) return version.status();
  if (asChars(*version) != kSchemaVersion) {
    return Status::Corruption("unsupported store schema version", asChars(*version));
  }
  return Status::OK();
}

// Heads written before byte quotas lack the feed's byte total. Each gets it here, summed once
// from its headers, on the first read-write open; otherwise every head() and feeds() (the
// daemon's tick) would walk the whole feed again until its next update.
Status completeHeads(WriteTxn& txn) {
  std::vector<std::pair<PublicKey, internal::HeadValue>> partial;
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kHeads));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    if (entry.key.size() != kPublicKeyBytes) return Status::Corruption("bad heads key");
    EICHUB_ASSIGN_OR_RETURN(internal::HeadValue value, internal::decodeHead(entry.value));
    if (!value.bytes_known) {
      PublicKey author{};
      std::copy(entry.key.begin(), entry.key.end(), author.begin());
      partial.emplace_back(author, value);
    }
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  for (auto& [author, value] : partial) {
    EICHUB_RETURN_IF_ERROR(internal::fillFeedBytes(txn, author, value));
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kHeads, author, internal::encodeHead(value)));
  }
  return Status::OK();
}

Status checkSchema(internal::StoreImpl& impl, bool read_only) {
  bool absent = false;
  if (read_only) {
    EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl.env->beginRead());
    EICHUB_RETURN_IF_ERROR(checkVersion(txn, &absent));
    if (absent) return Status::Corruption("not an eichub store", "no schema_version");
    return Status::OK();
  }
  return impl.write([&absent](WriteTxn& txn) -> Status {
    EICHUB_RETURN_IF_ERROR(checkVersion(txn, &absent));
    if (!absent) return completeHeads(txn);
    // Only a new, empty store gets a version; data without one came from something else.
    EICHUB_ASSIGN_OR_RETURN(MDB_stat headers, txn.stat(Table::kHeaders));
    EICHUB_ASSIGN_OR_RETURN(MDB_stat records, txn.stat(Table::kRecords));
    if (headers.ms_entries != 0 || records.ms_entries != 0) {
      return Status::Corruption("not an eichub store", "data without a schema_version");
    }
    return txn.put(Table::kMeta, asBytes(kSchemaVersionKey), asBytes(kSchemaVersion));
  });
}

}  // namespace

CatalogStore::CatalogStore(Token, std::unique_ptr<internal::StoreImpl> impl)
    : impl_(std::move(impl)), writer_(*impl_), queries_(*impl_) {}
CatalogStore::~CatalogStore() = default;

Result<std::unique_ptr<CatalogStore>> CatalogStore::open(const std::string& dir,
                                                         const StoreOptions& options) {
  if (options.initial_map_bytes == 0 || options.initial_map_bytes > options.max_map_bytes) {
    return Status::InvalidArgument("initial_map_bytes must be in 1..max_map_bytes");
  }
  auto impl = std::make_unique<internal::StoreImpl>();
  impl->now_ms = options.now_ms;
  LmdbOptions lmdb{options.read_only, options.initial_map_bytes, options.max_map_bytes,
                   kSchemaVersionKey, kSchemaVersion};
  EICHUB_ASSIGN_OR_RETURN(impl->env, LmdbEnv::open(dir, lmdb));
  EICHUB_RETURN_IF_ERROR(checkSchema(*impl, options.read_only));
  return std::make_unique<CatalogStore>(Token{}, std::move(impl));
}

Result<uint64_t> CatalogStore::storeBytes() const { return impl_->env->usedBytes(); }

uint64_t CatalogStore::mapBytes() const { return impl_->env->mapBytes(); }

Result<int> CatalogStore::clearStaleReaders() const { return impl_->env->clearStaleReaders(); }

size_t CatalogStore::readerSlots() const { return impl_->env->readerSlots(); }

Status CatalogStore::copyTo(const std::string& path) const { return impl_->env->copyTo(path); }

Result<std::string> CatalogStore::meta(const std::string& key) const {
  if (key.empty() || key.size() > internal::kMaxLmdbKeyBytes) {
    return Status::InvalidArgument("meta key size out of range");
  }
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  auto value = txn.get(Table::kMeta, asBytes(key));
  if (!value.ok()) {
    if (value.status().isNotFound()) return Status::NotFound("no meta value", key);
    return value.status();
  }
  return std::string(asChars(*value));
}

Status CatalogStore::setMeta(const std::string& key, const std::string& value) {
  if (key.empty() || key.size() > internal::kMaxLmdbKeyBytes) {
    return Status::InvalidArgument("meta key size out of range");
  }
  if (key == kSchemaVersionKey)
    return Status::InvalidArgument("schema_version is set by the store");
  return impl_->write(
      [&](WriteTxn& txn) { return txn.put(Table::kMeta, asBytes(key), asBytes(value)); });
}

}  // namespace eichub::store
