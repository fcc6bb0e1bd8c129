// LMDB environment, transactions and cursors: the only code that opens or closes LMDB handles.
// Map growth and MDB_MAP_RESIZED recovery live here so that callers only retry.
#include "node/store/lmdb_env.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace eichub::store {
namespace {

// Enough for our tables plus room for later ones (trust, forks, peers).
constexpr unsigned kMaxDbs = 32;
// Readers across all processes sharing the store: daemon threads plus CLI commands.
constexpr unsigned kMaxReaders = 256;
// MDB_MAP_RESIZED can only repeat if another process keeps growing the map; a few rounds do.
constexpr int kMaxResizeRetries = 8;

struct TableSpec {
  const char* name;
  unsigned flags;
};
constexpr std::array<TableSpec, kTableCount> kTables = {{
    {"meta", 0},
    {"headers", 0},
    {"heads", 0},
    {"records", 0},
    {"rid_keys", 0},
    {"by_id", MDB_DUPSORT | MDB_DUPFIXED},
    {"text", MDB_DUPSORT | MDB_DUPFIXED},
    {"skill_index", MDB_DUPSORT | MDB_DUPFIXED},
    {"changes", 0},
    {"feed_index", 0},
}};
static_assert(static_cast<size_t>(Table::kMeta) == 0, "openTables opens meta first");

}  // namespace

std::string_view tableName(Table table) { return kTables[static_cast<size_t>(table)].name; }

Status lmdbStatus(std::string_view what, int rc) {
  const char* text = mdb_strerror(rc);
  switch (rc) {
    case 0:
      return Status::OK();
    case MDB_NOTFOUND:
    case ENOENT:
      return Status::NotFound(what, text);
    case MDB_MAP_FULL:
      return Status::ResourceExhausted(what, text);
    case MDB_CORRUPTED:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
    case MDB_PAGE_NOTFOUND:
      return Status::Corruption(what, text);
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(what, text);
    case MDB_KEYEXIST:
      return Status::AlreadyExists(what, text);
    default:
      return Status::IOError(what, text);
  }
}

// ---- Cursor

Cursor::Cursor(Cursor&& other) noexcept : cursor_(std::exchange(other.cursor_, nullptr)) {}

Cursor& Cursor::operator=(Cursor&& other) noexcept {
  if (this != &other) {
    if (cursor_ != nullptr) mdb_cursor_close(cursor_);
    cursor_ = std::exchange(other.cursor_, nullptr);
  }
  return *this;
}

Cursor::~Cursor() {
  if (cursor_ != nullptr) mdb_cursor_close(cursor_);
}

Result<bool> Cursor::get(MDB_cursor_op op, Entry* entry, ByteView key, ByteView value) {
  MDB_val k = toVal(key);
  MDB_val v = toVal(value);
  int rc = mdb_cursor_get(cursor_, &k, &v, op);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return lmdbStatus("cursor get", rc);
  entry->key = fromVal(k);
  entry->value = fromVal(v);
  return true;
}

Result<uint64_t> Cursor::countDups() const {
  size_t count = 0;
  if (int rc = mdb_cursor_count(cursor_, &count); rc != 0) return lmdbStatus("cursor count", rc);
  return static_cast<uint64_t>(count);
}

// ---- Txn

Txn::Txn(Txn&& other) noexcept : env_(other.env_), txn_(std::exchange(other.txn_, nullptr)) {}

MDB_dbi Txn::dbi(Table table) const { return env_->dbi(table); }

Result<ByteView> Txn::get(Table table, ByteView key) const {
  MDB_val k = toVal(key);
  MDB_val v{};
  if (int rc = mdb_get(txn_, dbi(table), &k, &v); rc != 0) return lmdbStatus("get", rc);
  return fromVal(v);
}

Result<bool> Txn::hasDup(Table table, ByteView key, ByteView value) const {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, this->cursor(table));
  Entry entry;
  return cursor.get(MDB_GET_BOTH, &entry, key, value);
}

Result<Cursor> Txn::cursor(Table table) const {
  MDB_cursor* cursor = nullptr;
  if (int rc = mdb_cursor_open(txn_, dbi(table), &cursor); rc != 0) {
    return lmdbStatus("cursor open", rc);
  }
  return Cursor(cursor);
}

Result<MDB_stat> Txn::stat(Table table) const {
  MDB_stat st{};
  if (int rc = mdb_stat(txn_, dbi(table), &st); rc != 0) return lmdbStatus("stat", rc);
  return st;
}

ReadTxn::~ReadTxn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

// ---- WriteTxn

WriteTxn::WriteTxn(WriteTxn&& other) noexcept
    : Txn(std::move(other)), lock_(std::move(other.lock_)), map_full_(other.map_full_) {}

WriteTxn::~WriteTxn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

Status WriteTxn::note(std::string_view what, int rc) {
  if (rc == MDB_MAP_FULL) map_full_ = true;
  return lmdbStatus(what, rc);
}

Status WriteTxn::put(Table table, ByteView key, ByteView value, unsigned flags) {
  MDB_val k = toVal(key);
  MDB_val v = toVal(value);
  if (int rc = mdb_put(txn_, dbi(table), &k, &v, flags); rc != 0) return note("put", rc);
  return Status::OK();
}

Result<bool> WriteTxn::del(Table table, ByteView key, ByteView value, bool with_value) {
  MDB_val k = toVal(key);
  MDB_val v = toVal(value);
  int rc = mdb_del(txn_, dbi(table), &k, with_value ? &v : nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) return note("del", rc);
  return true;
}

Status WriteTxn::putMultiple(Cursor& cursor, ByteView key, ByteView values, size_t value_bytes,
                             bool append) {
  if (value_bytes == 0 || values.empty() || values.size() % value_bytes != 0) {
    return Status::InvalidArgument("putMultiple", "values are not whole fixed-size items");
  }
  MDB_val k = toVal(key);
  MDB_val v[2] = {{value_bytes, const_cast<uint8_t*>(values.data())},
                  {values.size() / value_bytes, nullptr}};
  unsigned flags = MDB_MULTIPLE | (append ? MDB_APPENDDUP : 0);
  if (int rc = mdb_cursor_put(cursor.cursor_, &k, v, flags); rc != 0) {
    return note("put multiple", rc);
  }
  return Status::OK();
}

Status WriteTxn::commit() {
  MDB_txn* txn = std::exchange(txn_, nullptr);
  if (int rc = mdb_txn_commit(txn); rc != 0) return note("commit", rc);
  return Status::OK();
}

// ---- LmdbEnv

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::open(const std::string& dir, const LmdbOptions& options) {
  std::error_code ec;
  if (options.read_only) {
    if (!std::filesystem::exists(std::filesystem::path(dir) / "data.mdb", ec)) {
      return Status::NotFound("no store", dir);
    }
  } else {
    std::filesystem::create_directories(dir, ec);
    if (ec) return Status::IOError("create " + dir, ec.message());
  }
  MDB_env* raw = nullptr;
  if (int rc = mdb_env_create(&raw); rc != 0) return lmdbStatus("mdb_env_create", rc);
  // Owned from here on, so that every early return closes it.
  auto env = std::make_unique<LmdbEnv>(Key{}, raw, options);
  if (int rc = mdb_env_set_maxdbs(raw, kMaxDbs); rc != 0) return lmdbStatus("set maxdbs", rc);
  if (int rc = mdb_env_set_maxreaders(raw, kMaxReaders); rc != 0) {
    return lmdbStatus("set maxreaders", rc);
  }
  // A read-only env keeps LMDB's default, the size recorded in the file; a writer starts at
  // initial_map_bytes (LMDB raises it to the data already held if that is larger).
  if (!options.read_only) {
    if (int rc = mdb_env_set_mapsize(raw, options.initial_map_bytes); rc != 0) {
      return lmdbStatus("set mapsize", rc);
    }
  }
  unsigned flags = MDB_NOTLS | (options.read_only ? MDB_RDONLY : 0);
  if (int rc = mdb_env_open(raw, dir.c_str(), flags, 0644); rc != 0) {
    return lmdbStatus("open " + dir, rc);
  }
  MDB_envinfo info{};
  mdb_env_info(raw, &info);
  env->map_bytes_ = info.me_mapsize;
  EICHUB_RETURN_IF_ERROR(env->openTables());
  EICHUB_RETURN_IF_ERROR(env->clearStaleReaders().status());
  return env;
}

Result<int> LmdbEnv::clearStaleReaders() const {
  int dead = 0;
  if (int rc = mdb_reader_check(env_, &dead); rc != 0) return lmdbStatus("reader check", rc);
  return dead;
}

size_t LmdbEnv::readerSlots() const {
  // mdb_reader_list calls back once per line: a heading, then one line per slot, or only
  // "(no active readers)".
  struct Count {
    size_t lines = 0;
    bool none = false;
  } count;
  mdb_reader_list(
      env_,
      [](const char* line, void* ctx) -> int {
        auto* c = static_cast<Count*>(ctx);
        ++c->lines;
        if (std::string_view(line).find("no active readers") != std::string_view::npos) {
          c->none = true;
        }
        return 0;
      },
      &count);
  return count.none || count.lines == 0 ? 0 : count.lines - 1;
}

LmdbEnv::~LmdbEnv() {
  // DBI handles need no closing (lmdb.h recommends leaving them open); the env closes them.
  mdb_env_close(env_);
}

Status LmdbEnv::openTables() {
  // lmdb.h forbids concurrent mdb_dbi_open: every table is opened here, once, in one txn.
  MDB_txn* txn = nullptr;
  unsigned txn_flags = options_.read_only ? MDB_RDONLY : 0;
  int rc = mdb_txn_begin(env_, nullptr, txn_flags, &txn);
  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize(env_, 0);
    rc = mdb_txn_begin(env_, nullptr, txn_flags, &txn);
  }
  if (rc != 0) return lmdbStatus("begin txn", rc);
  for (size_t i = 0; i < kTableCount; ++i) {
    unsigned flags = kTables[i].flags | (options_.read_only ? 0 : MDB_CREATE);
    rc = mdb_dbi_open(txn, kTables[i].name, flags, &dbis_[i]);
    if (rc != 0) {
      mdb_txn_abort(txn);
      if (rc == MDB_NOTFOUND)
        return Status::Corruption("not an eichub store: no table", kTables[i].name);
      return lmdbStatus(std::string("open table ") + kTables[i].name, rc);
    }
    if (i == static_cast<size_t>(Table::kMeta)) {
      if (Status version = checkSchemaVersion(txn); !version.ok()) {
        mdb_txn_abort(txn);
        return version;
      }
    }
  }
  // Committing (even a read txn) keeps the DBI handles for every later txn.
  rc = mdb_txn_commit(txn);
  if (rc != 0) return lmdbStatus("commit tables", rc);
  return Status::OK();
}

Status LmdbEnv::checkSchemaVersion(MDB_txn* txn) const {
  if (options_.schema_key.empty()) return Status::OK();
  MDB_val key = toVal(asBytes(options_.schema_key));
  MDB_val value{};
  int rc = mdb_get(txn, dbis_[static_cast<size_t>(Table::kMeta)], &key, &value);
  if (rc == MDB_NOTFOUND) return Status::OK();
  if (rc != 0) return lmdbStatus("read schema version", rc);
  std::string_view found = asChars(fromVal(value));
  if (found == options_.schema_version) return Status::OK();
  // Versions are small decimal numbers: an older store is upgraded by `eichub migrate`.
  const bool older =
      found.size() < options_.schema_version.size() ||
      (found.size() == options_.schema_version.size() && found < options_.schema_version);
  return Status::Corruption("unsupported store schema version",
                            std::string(found) + " (this build reads version " +
                                std::string(options_.schema_version) + ")" +
                                (older ? "; upgrade it with: eichub migrate --home <home>" : ""));
}

Status LmdbEnv::adoptMapSize() const {
  std::unique_lock lock(resize_mu_);
  // Size 0 adopts the size another process recorded in the file (lmdb.h, MDB_MAP_RESIZED).
  if (int rc = mdb_env_set_mapsize(env_, 0); rc != 0) return lmdbStatus("adopt mapsize", rc);
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  map_bytes_ = info.me_mapsize;
  return Status::OK();
}

Result<ReadTxn> LmdbEnv::beginRead() const {
  for (int attempt = 0; attempt < kMaxResizeRetries; ++attempt) {
    std::shared_lock lock(resize_mu_);
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc == 0) return ReadTxn(this, txn, std::move(lock));
    if (rc != MDB_MAP_RESIZED) return lmdbStatus("begin read txn", rc);
    lock.unlock();
    EICHUB_RETURN_IF_ERROR(adoptMapSize());
  }
  return Status::Unavailable("begin read txn", "the map keeps being resized");
}

Result<WriteTxn> LmdbEnv::beginWrite() {
  if (options_.read_only) return Status::PermissionDenied("write", "store opened read-only");
  for (int attempt = 0; attempt < kMaxResizeRetries; ++attempt) {
    std::shared_lock lock(resize_mu_);
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == 0) return WriteTxn(this, txn, std::move(lock));
    if (rc != MDB_MAP_RESIZED) return lmdbStatus("begin write txn", rc);
    lock.unlock();
    EICHUB_RETURN_IF_ERROR(adoptMapSize());
  }
  return Status::Unavailable("begin write txn", "the map keeps being resized");
}

Status LmdbEnv::growMap() {
  std::unique_lock lock(resize_mu_);
  // Another process may have grown the file already: start from the larger of the two sizes.
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  uint64_t current = std::max<uint64_t>(info.me_mapsize, map_bytes_.load());
  if (current >= options_.max_map_bytes) {
    return Status::ResourceExhausted("store full", "map size is at max_map_bytes");
  }
  uint64_t next = std::min<uint64_t>(current * 2, options_.max_map_bytes);
  if (int rc = mdb_env_set_mapsize(env_, next); rc != 0) return lmdbStatus("grow mapsize", rc);
  map_bytes_ = next;
  return Status::OK();
}

Result<uint64_t> LmdbEnv::usedBytes() const {
  // Under the shared lock so that a concurrent resize cannot swap the map while we read it.
  std::shared_lock lock(resize_mu_);
  MDB_envinfo info{};
  MDB_stat st{};
  if (int rc = mdb_env_info(env_, &info); rc != 0) return lmdbStatus("env info", rc);
  if (int rc = mdb_env_stat(env_, &st); rc != 0) return lmdbStatus("env stat", rc);
  return static_cast<uint64_t>(info.me_last_pgno + 1) * st.ms_psize;
}

Status LmdbEnv::copyTo(const std::string& path) const {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists("will not overwrite", path);
    return Status::IOError("create " + path, std::strerror(errno));
  }
  int rc = 0;
  {
    std::shared_lock lock(resize_mu_);  // the copy's read txn, like any other, blocks a resize
    rc = mdb_env_copyfd2(env_, fd, MDB_CP_COMPACT);
  }
  if (rc == 0 && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  if (rc != 0) {
    std::remove(path.c_str());
    return lmdbStatus("copy to " + path, rc);
  }
  return Status::OK();
}

}  // namespace eichub::store
