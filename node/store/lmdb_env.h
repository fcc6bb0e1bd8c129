// RAII owners for LMDB handles: the environment with its named databases, read and write
// transactions, and cursors (STYLE.md rule 16). Nothing else in eichub calls mdb_*_close.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include <lmdb.h>

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub::store {

// The named databases of a node's store (docs/architecture.md "Store tables"). All are opened once,
// at startup. Layouts in node/store/internal/keys.h; "rid" is a record's store-local number.
enum class Table : uint8_t {
  kMeta,        // name -> small string (schema_version, node id, erased marks: keys.h)
  kHeaders,     // arrival(8 BE) -> lengths || codec || header || signature || stored body
  kHeads,       // author(32) -> seq, hash, time, verified-up-to
  kRecords,     // kind(1) || author(32) || id -> seq, op, body hash, time, rid
  kRidKeys,     // rid(8 BE) -> kind(1) || author(32) || id
  kById,        // id -> kind(1) || author(32)                         (dupsort, dupfixed)
  kText,        // token -> rid(8) || kind|weight(1) || label bytes(2)  (dupsort, dupfixed)
  kSkillIndex,  // skill uri -> rid(8)                                  (dupsort, dupfixed)
  kChanges,     // change number(8 BE) -> author(32) || seq(8 BE) || kind(1) || op(1) || id
  kFeedIndex,   // author(32) || seq(8 BE) -> arrival(8 BE): where kHeaders holds an update
};
inline constexpr size_t kTableCount = 10;
// The table's LMDB name ("headers", ...).
std::string_view tableName(Table table);

// Turns an LMDB return code into a Status: MDB_NOTFOUND -> NotFound, MDB_MAP_FULL ->
// ResourceExhausted, MDB_CORRUPTED/MDB_INVALID/MDB_VERSION_MISMATCH/MDB_INCOMPATIBLE ->
// Corruption, ENOENT -> NotFound, EACCES/EPERM -> PermissionDenied, anything else -> IOError.
Status lmdbStatus(std::string_view what, int rc);

// Borrowed views; the MDB_val must not outlive the bytes it points to, and a view built from an
// MDB_val returned by a read is valid only until its transaction ends (or the next write in it).
inline MDB_val toVal(ByteView bytes) {
  return MDB_val{bytes.size(), const_cast<uint8_t*>(bytes.data())};
}
inline ByteView fromVal(const MDB_val& val) {
  return {static_cast<const uint8_t*>(val.mv_data), val.mv_size};
}

class LmdbEnv;

// One key/value pair under a cursor: borrowed views, valid until the transaction ends.
struct Entry {
  ByteView key;
  ByteView value;
};

// An open cursor on one table. It must be destroyed before its transaction ends (LMDB frees a
// write txn's cursors itself at commit/abort, so a Cursor outliving one would double free).
// Move-only; not thread-safe.
class Cursor {
 public:
  Cursor(Cursor&& other) noexcept;
  Cursor& operator=(Cursor&& other) noexcept;
  ~Cursor();

  // One mdb_cursor_get. key and value are the inputs of the ops that take them (MDB_SET_KEY,
  // MDB_SET_RANGE, MDB_GET_BOTH, MDB_GET_BOTH_RANGE). Returns true and fills *entry when
  // positioned, false on MDB_NOTFOUND; other LMDB errors as lmdbStatus.
  Result<bool> get(MDB_cursor_op op, Entry* entry, ByteView key = {}, ByteView value = {});
  // Number of duplicates of the current key (dupsort tables). Errors: lmdbStatus.
  Result<uint64_t> countDups() const;

 private:
  friend class Txn;
  friend class WriteTxn;
  explicit Cursor(MDB_cursor* cursor) : cursor_(cursor) {}
  MDB_cursor* cursor_ = nullptr;
};

// What read and write transactions share. Not thread-safe: one thread uses a txn at a time,
// although MDB_NOTLS lets a read txn move between threads.
class Txn {
 public:
  // Looks key up. The value is a borrowed view, valid until the txn ends (for a write txn,
  // until its next write). Errors: NotFound when absent, else lmdbStatus.
  Result<ByteView> get(Table table, ByteView key) const;
  // True if the dupsort table holds exactly (key, value).
  Result<bool> hasDup(Table table, ByteView key, ByteView value) const;
  // Opens a cursor on table; destroy it before this txn ends.
  Result<Cursor> cursor(Table table) const;
  // Statistics of one table (entry count, page counts). Errors: lmdbStatus.
  Result<MDB_stat> stat(Table table) const;

 protected:
  Txn(const LmdbEnv* env, MDB_txn* txn) : env_(env), txn_(txn) {}
  Txn(Txn&& other) noexcept;
  Txn& operator=(Txn&& other) noexcept = delete;
  ~Txn() = default;
  MDB_dbi dbi(Table table) const;

  const LmdbEnv* env_;
  MDB_txn* txn_;
};

// A read-only snapshot. Holds the env's resize lock in shared mode, so keep it short-lived.
// Move-only; the destructor aborts (releases the snapshot).
class ReadTxn : public Txn {
 public:
  ReadTxn(ReadTxn&& other) noexcept = default;
  ReadTxn& operator=(ReadTxn&&) = delete;
  ~ReadTxn();

 private:
  friend class LmdbEnv;
  ReadTxn(const LmdbEnv* env, MDB_txn* txn, std::shared_lock<std::shared_mutex> lock)
      : Txn(env, txn), lock_(std::move(lock)) {}
  std::shared_lock<std::shared_mutex> lock_;  // released after the txn, by member order
};

// The single write transaction. Move-only; the destructor aborts unless commit() ran.
class WriteTxn : public Txn {
 public:
  WriteTxn(WriteTxn&& other) noexcept;
  WriteTxn& operator=(WriteTxn&&) = delete;
  ~WriteTxn();

  // mdb_put with flags (0, MDB_NODUPDATA, MDB_NOOVERWRITE, MDB_APPEND, MDB_APPENDDUP).
  // MDB_KEYEXIST is reported as AlreadyExists; with MDB_APPEND(DUP) that also means the key (or
  // value) does not sort after the table's last one. MDB_MAP_FULL sets mapFull() and returns
  // ResourceExhausted.
  Status put(Table table, ByteView key, ByteView value, unsigned flags = 0);
  // mdb_cursor_put with MDB_MULTIPLE on a dupfixed table: stores the count values of
  // value_bytes each at values under key, one tree search for all of them. With append, the
  // values (sorted) must sort after the key's existing duplicates (MDB_APPENDDUP). Errors: as
  // put(); InvalidArgument when values is not count * value_bytes long.
  Status putMultiple(Cursor& cursor, ByteView key, ByteView values, size_t value_bytes,
                     bool append);
  // Deletes key (all its duplicates) or, with a value, the one duplicate. Returns whether
  // something was deleted; MDB_MAP_FULL as put().
  Result<bool> del(Table table, ByteView key, ByteView value = {}, bool with_value = false);
  // Commits. The handle is cleared first (LMDB frees it whatever the outcome). Errors:
  // lmdbStatus; MDB_MAP_FULL also sets mapFull().
  Status commit();
  // True once an operation of this txn failed with MDB_MAP_FULL: abort, grow, retry.
  bool mapFull() const { return map_full_; }

 private:
  friend class LmdbEnv;
  WriteTxn(const LmdbEnv* env, MDB_txn* txn, std::shared_lock<std::shared_mutex> lock)
      : Txn(env, txn), lock_(std::move(lock)) {}
  Status note(std::string_view what, int rc);
  std::shared_lock<std::shared_mutex> lock_;
  bool map_full_ = false;
};

struct LmdbOptions {
  bool read_only = false;
  uint64_t initial_map_bytes = 256ull << 20;
  uint64_t max_map_bytes = 1ull << 40;
  // When schema_key is set, open() reads it from the meta table before opening any other table
  // and fails with Corruption naming the version found unless it is absent or equals
  // schema_version: table flags differ between layouts, so an older store would otherwise fail
  // with an unhelpful MDB_INCOMPATIBLE (or get new tables created in it).
  std::string_view schema_key;
  std::string_view schema_version;
};

// Owns the MDB_env and the DBI handles of every Table.
//
// Thread-safety: beginRead() may be called from any thread (MDB_NOTLS). Writers are
// serialised by LMDB itself. growMap() and the MDB_MAP_RESIZED recovery need every txn of this
// process to be finished (lmdb.h, mdb_env_set_mapsize): each txn holds resize_mu_ shared and
// the resize takes it exclusively. Lock order: resize_mu_ is the only lock here.
class LmdbEnv {
 public:
  // Opens the environment in dir (dir/data.mdb and dir/lock.mdb) with MDB_NOTLS, and opens
  // every Table in one txn (creating them unless read_only). Errors: NotFound (read_only and no
  // data.mdb), Corruption (not an LMDB file, a table missing or with other flags, or another
  // schema version, see LmdbOptions), IOError.
  static Result<std::unique_ptr<LmdbEnv>> open(const std::string& dir, const LmdbOptions& options);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  // Begins a snapshot; on MDB_MAP_RESIZED (another process grew the map) adopts the new size
  // and retries. Errors: lmdbStatus.
  Result<ReadTxn> beginRead() const;
  // Begins the write txn (blocks while another writer, in any process, holds it). Errors: as
  // beginRead; PermissionDenied when the env is read-only.
  Result<WriteTxn> beginWrite();
  // Doubles the map size, bounded by max_map_bytes. Call with no txn of this thread open.
  // Errors: ResourceExhausted at the bound, lmdbStatus.
  Status growMap();

  uint64_t mapBytes() const { return map_bytes_.load(); }
  bool readOnly() const { return options_.read_only; }
  // Bytes of the data file in use: (last page + 1) * page size.
  Result<uint64_t> usedBytes() const;
  // mdb_env_copyfd2 with MDB_CP_COMPACT into a new file at path (mode 0600): a consistent
  // snapshot, taken in a read txn, so writers go on. Errors: AlreadyExists, lmdbStatus.
  Status copyTo(const std::string& path) const;
  MDB_dbi dbi(Table table) const { return dbis_[static_cast<size_t>(table)]; }
  // Frees the reader slots of processes that died inside a read txn (a CLI reader killed with
  // SIGKILL). Such a slot pins the pages of its snapshot, so the file grows, and it counts
  // against the reader table until LMDB reports MDB_READERS_FULL. open() runs it; a daemon
  // runs it periodically. Returns the number freed. Errors: lmdbStatus.
  Result<int> clearStaleReaders() const;
  // Reader slots in use by live and dead processes alike (mdb_reader_list).
  size_t readerSlots() const;

 private:
  // Passkey: only open() builds an LmdbEnv, but make_unique still needs a public constructor.
  struct Key {
    explicit Key() = default;
  };

 public:
  LmdbEnv(Key, MDB_env* env, const LmdbOptions& options) : env_(env), options_(options) {}

 private:
  Status openTables();
  Status checkSchemaVersion(MDB_txn* txn) const;
  Status adoptMapSize() const;

  MDB_env* env_;
  LmdbOptions options_;
  std::array<MDB_dbi, kTableCount> dbis_{};
  mutable std::atomic<uint64_t> map_bytes_{0};
  // A std::shared_mutex, not an annotated Mutex: ReadTxn and WriteTxn hold it shared for their
  // lifetime and it guards LMDB's map, not a member, which the thread-safety analysis cannot
  // state. Taken exclusively only by growMap() and adoptMapSize().
  mutable std::shared_mutex resize_mu_;
};

}  // namespace eichub::store
