// CatalogStore: the node's LMDB store of feeds and the catalogue state derived from them
// (docs/architecture.md "Store tables"). It owns the environment and hands out the store's
// purposes: writer() (the write path), queries() (every read), and the free functions of
// restate.h (state rebuild) and verify.h (audit). It keeps what concerns the environment as a
// whole: opening, meta values, size, reader slots, a consistent copy.
//
// Thread-safety: a CatalogStore may be shared by threads for reads; writes wait for LMDB's
// write lock. Several processes may open the same home: the daemon read-write and CLI commands
// read-only or read-write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/store/store_queries.h"
#include "node/store/store_types.h"
#include "node/store/store_writer.h"

namespace eichub::store {

struct StoreOptions {
  bool read_only = false;
  // The local clock, ms since the epoch, for RecordState/ChangeEntry::applied_ms; the system
  // clock when empty (tests inject one).
  std::function<int64_t()> now_ms;
  uint64_t initial_map_bytes = 256ull << 20;  // grows by doubling on MDB_MAP_FULL
  uint64_t max_map_bytes = 1ull << 40;        // hard cap: a store never grows past this
};

class CatalogStore {
 public:
  // Opens (creating if needed and not read_only) the LMDB environment in dir.
  // Errors: NotFound (no store and read_only), Corruption (not an eichub store or a schema
  // version this build does not know), IOError.
  static Result<std::unique_ptr<CatalogStore>> open(const std::string& dir,
                                                    const StoreOptions& options);
  ~CatalogStore();
  CatalogStore(const CatalogStore&) = delete;
  CatalogStore& operator=(const CatalogStore&) = delete;

  // The write path (store_writer.h). Valid as long as this store.
  StoreWriter& writer() { return writer_; }
  // Every read (store_queries.h). Valid as long as this store.
  const StoreQueries& queries() const { return queries_; }

  // Bytes used by the environment's data file.
  Result<uint64_t> storeBytes() const;
  // The current map size in bytes (storeBytes() / mapBytes() is the map usage).
  uint64_t mapBytes() const;
  // Frees reader slots left by dead processes (LmdbEnv::clearStaleReaders); returns how many.
  Result<int> clearStaleReaders() const;
  // Reader slots in use, live and dead.
  size_t readerSlots() const;
  // Writes a compacted, consistent copy of the store (one LMDB data file) to path, from one
  // read snapshot: safe while this or another process writes. path must not exist.
  // Errors: AlreadyExists, IOError.
  Status copyTo(const std::string& path) const;

  // Meta values (schema version, node id): small strings under a key. meta: NotFound when
  // absent. setMeta: InvalidArgument for an empty key, a key over 511 bytes, or
  // "schema_version", which the store owns.
  Result<std::string> meta(const std::string& key) const;
  Status setMeta(const std::string& key, const std::string& value);

  // The state rebuild and the audit's repair write through the private state.
  friend Result<uint64_t> restate(CatalogStore& store, const PublicKey& author,
                                  const std::function<bool(const feed::HeaderFields&)>& valid);
  friend Result<bool> dropBadBody(CatalogStore& store, const PublicKey& author, uint64_t seq);

 private:
  // Passkey: only open() builds a CatalogStore, through std::make_unique.
  struct Token {
    explicit Token() = default;
  };

 public:
  CatalogStore(Token, std::unique_ptr<internal::StoreImpl> impl);

 private:
  std::unique_ptr<internal::StoreImpl> impl_;
  StoreWriter writer_;
  StoreQueries queries_;
};

}  // namespace eichub::store
