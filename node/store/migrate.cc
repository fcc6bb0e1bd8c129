// Store migration: reading a feed-format-1 store (schema 2 or 3) for its author's records, and
// copying a schema 4, 5 or 6 store into the current schema.
#include "node/store/migrate.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <span>

#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"
#include "node/store/lmdb_env.h"
#include "node/store/verify.h"

namespace eichub::store {
namespace {

// The schema versions of feed format 1: 2 (bodies beside headers) and 3 (the changes table).
constexpr std::string_view kFormatOneVersions[] = {"3", "2"};

// Opens the store in dir if it names one of versions (tried in order); sets version. Not
// read-only: an older store lacks tables added since (schema 2 the changes table, schema 4 the
// feed index), which opening creates empty and a build of that version ignores, so the store
// stays a valid old store. Errors: the last open's, or Corruption(not_one) when the store names
// none of them (an absent version passes open's check).
Result<std::unique_ptr<LmdbEnv>> openNamingVersion(const std::string& dir,
                                                   std::span<const std::string_view> versions,
                                                   std::string_view not_one, std::string& version) {
  Status last = Status::Corruption(not_one);
  for (std::string_view candidate : versions) {
    LmdbOptions options;
    options.schema_key = internal::kSchemaVersionKey;
    options.schema_version = candidate;
    auto env = LmdbEnv::open(dir, options);
    if (!env.ok()) {
      last = env.status();
      continue;
    }
    EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, (*env)->beginRead());
    auto held = txn.get(Table::kMeta, asBytes(internal::kSchemaVersionKey));
    if (held.ok() && asChars(*held) == candidate) {
      version = std::string(candidate);
      return std::move(env).value();
    }
  }
  return last;
}

Result<std::unique_ptr<LmdbEnv>> openFormatOne(const std::string& dir, std::string& version) {
  return openNamingVersion(dir, kFormatOneVersions, "not a feed-format-1 store", version);
}

// Walks author's headers in seq order and keeps each record's last update.
Status readOwnFeed(const ReadTxn& txn, const PublicKey& author, FormatOneContent& out) {
  struct Current {
    uint64_t seq = 0;
    feed::Op op = feed::Op::UPSERT;
    HeldRecord record;
    bool body_held = false;
  };
  std::map<std::pair<catalog::Kind, std::string>, Current> current;
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kHeaders));
  Entry entry;
  // Before schema 5 the headers table was keyed author || seq, as the feed index is now.
  const Bytes first = internal::feedIndexKey(author, 1);
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, first));
  while (more && entry.key.size() == first.size() &&
         std::equal(author.begin(), author.end(), entry.key.begin())) {
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue value,
                            internal::decodeUncompressedHeaderValue(entry.value));
    auto fields = feed::decodeHeader(value.header);
    if (!fields.ok()) {
      return Status::Corruption("a stored header does not decode", fields.status().message());
    }
    ++out.own_updates;
    Current& record = current[{catalog::heldKind(*fields), fields->id}];
    if (fields->op == feed::Op::ERASE) {
      record.op = feed::Op::ERASE;  // the record's bodies are gone everywhere
    } else {
      if (!bodyMatches(*fields, value.body.bytes)) {
        return Status::Corruption("a stored body does not match its header",
                                  fields->id + " seq " + std::to_string(fields->seq));
      }
      record.seq = fields->seq;
      record.op = fields->op;
      record.body_held = value.hasBody();
      record.record = HeldRecord{catalog::heldKind(*fields), fields->id, fields->tags,
                                 Bytes(value.body.bytes.begin(), value.body.bytes.end())};
    }
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  std::vector<Current*> live;
  for (auto& [key, record] : current) {
    if (record.op != feed::Op::UPSERT) continue;
    if (!record.body_held) {
      ++out.records_without_body;
      continue;
    }
    live.push_back(&record);
  }
  std::sort(live.begin(), live.end(),
            [](const Current* a, const Current* b) { return a->seq < b->seq; });
  for (Current* record : live) out.records.push_back(std::move(record->record));
  return Status::OK();
}

// Counts the feeds and updates of other authors, which the upgrade drops.
Status countOtherFeeds(const ReadTxn& txn, const PublicKey& author, FormatOneContent& out) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kHeads));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    if (!std::equal(entry.key.begin(), entry.key.end(), author.begin(), author.end())) {
      EICHUB_ASSIGN_OR_RETURN(internal::HeadValue head, internal::decodeHead(entry.value));
      ++out.other_feeds;
      out.other_updates += head.head.seq;
    }
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return Status::OK();
}

// The schemas of feed format 2 that a copy upgrades: 4 (bodies raw), 5 (by_id keyed by the id),
// 6 (by_id keyed by a hash of every id).
constexpr std::string_view kCopiedVersions[] = {"6", "5", "4"};
// Entries copied per write transaction of copyIntoCurrentSchema: bounds its dirty pages.
constexpr size_t kCopyEntriesPerTxn = 4096;

Result<std::unique_ptr<LmdbEnv>> openCopiedSchema(const std::string& dir, std::string& version) {
  return openNamingVersion(dir, kCopiedVersions, "not a schema 4, 5 or 6 store", version);
}

// A schema-4 headers value in the current layout, its body compressed when that is smaller.
Status convertHeaderValue(ByteView old_value, internal::BodyCompressor& compressor, Bytes& out,
                          SchemaCopy& copy) {
  EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue held,
                          internal::decodeUncompressedHeaderValue(old_value));
  const internal::StoredBody stored = compressor.compress(held.body.bytes);
  if (stored.codec == internal::BodyCodec::kZstd) ++copy.bodies_compressed;
  internal::encodeHeaderValue(held.header, held.signature, stored, out);
  ++copy.updates;
  return Status::OK();
}

// by_id of a schema-6 store, whose keys are hashes the ids cannot be read back from, made again
// from the records table: a record key is kind || author || id, and by_id holds, under each
// id's key, the kind || author of every record key (restate.cc removes both together).
Status rebuildById(const ReadTxn& from, LmdbEnv& to) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, from.cursor(Table::kRecords));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    EICHUB_ASSIGN_OR_RETURN(WriteTxn txn, to.beginWrite());
    for (size_t n = 0; more && n < kCopyEntriesPerTxn; ++n) {
      if (entry.key.size() <= internal::kRecordKeyPrefixBytes) {
        return Status::Corruption("record key without an id");
      }
      const ByteView prefix = entry.key.first(internal::kRecordKeyPrefixBytes);
      const ByteView id = entry.key.subspan(internal::kRecordKeyPrefixBytes);
      EICHUB_RETURN_IF_ERROR(txn.put(Table::kById, internal::byIdKey(id), prefix));
      EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
    }
    EICHUB_RETURN_IF_ERROR(txn.commit());
  }
  return Status::OK();
}

// Copies every entry of table from `from` to `to`, in key order, committing every
// kCopyEntriesPerTxn entries. Keys arrive sorted, so every put appends (MDB_APPEND, or
// MDB_APPENDDUP for the next value of the same key in a dupsort table): pages end up full.
// Schema 4's headers (keyed author || seq) become numbered in that order, with the feed index
// (header_table.h) written beside them. by_id's keys (the ids themselves in schemas 4 and 5)
// become byIdKey(id), in no order (schema 6's: rebuildById).
Status copyTable(const ReadTxn& from, LmdbEnv& to, Table table, SchemaCopy& copy) {
  const bool schema_four_headers = table == Table::kHeaders && copy.from_schema == "4";
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, from.cursor(table));
  internal::BodyCompressor compressor;
  std::optional<internal::HeaderAppender> headers;
  Bytes previous_key, value;
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    EICHUB_ASSIGN_OR_RETURN(WriteTxn txn, to.beginWrite());
    if (schema_four_headers) {
      EICHUB_ASSIGN_OR_RETURN(headers, internal::HeaderAppender::start(txn));
    }
    for (size_t n = 0; more && n < kCopyEntriesPerTxn; ++n) {
      if (table == Table::kById) {
        EICHUB_RETURN_IF_ERROR(txn.put(table, internal::byIdKey(entry.key), entry.value));
      } else if (schema_four_headers) {
        if (entry.key.size() != kPublicKeyBytes + 8) {
          return Status::Corruption("schema-4 header key is not author || seq");
        }
        PublicKey author{};
        std::copy(entry.key.begin(), entry.key.begin() + kPublicKeyBytes, author.begin());
        EICHUB_RETURN_IF_ERROR(convertHeaderValue(entry.value, compressor, value, copy));
        EICHUB_RETURN_IF_ERROR(
            headers->append(txn, author, readU64BE(entry.key.data() + kPublicKeyBytes), value));
      } else {
        const bool same_key =
            !previous_key.empty() && std::equal(entry.key.begin(), entry.key.end(),
                                                previous_key.begin(), previous_key.end());
        ByteView put_value = entry.value;
        if (table == Table::kMeta &&
            asChars(entry.key) == std::string_view(internal::kSchemaVersionKey)) {
          put_value = asBytes(internal::kSchemaVersion);
        } else if (table == Table::kHeads) {
          ++copy.feeds;
        } else if (table == Table::kHeaders) {
          ++copy.updates;
        }
        EICHUB_RETURN_IF_ERROR(
            txn.put(table, entry.key, put_value, same_key ? MDB_APPENDDUP : MDB_APPEND));
        previous_key.assign(entry.key.begin(), entry.key.end());
      }
      EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
    }
    EICHUB_RETURN_IF_ERROR(txn.commit());
  }
  return Status::OK();
}

}  // namespace

std::string currentSchemaVersion() { return std::string(internal::kSchemaVersion); }

bool isFormatOneStore(const std::string& dir) {
  std::string version;
  return openFormatOne(dir, version).ok();
}

std::optional<std::string> copiedSchemaVersion(const std::string& dir) {
  std::string version;
  if (!openCopiedSchema(dir, version).ok()) return std::nullopt;
  return version;
}

Result<SchemaCopy> copyIntoCurrentSchema(const std::string& dir, const std::string& to_dir,
                                         const std::string& backup_path) {
  std::error_code ec;
  if (std::filesystem::exists(to_dir, ec)) return Status::AlreadyExists(to_dir);
  SchemaCopy copy;
  EICHUB_ASSIGN_OR_RETURN(auto from, openCopiedSchema(dir, copy.from_schema));
  EICHUB_RETURN_IF_ERROR(from->copyTo(backup_path));
  EICHUB_ASSIGN_OR_RETURN(copy.bytes_before, from->usedBytes());
  std::filesystem::create_directories(to_dir, ec);
  if (ec) return Status::IOError("cannot create " + to_dir, ec.message());
  LmdbOptions options;
  options.initial_map_bytes = std::max(from->mapBytes(), options.initial_map_bytes);
  options.schema_key = internal::kSchemaVersionKey;
  options.schema_version = internal::kSchemaVersion;
  EICHUB_ASSIGN_OR_RETURN(auto to, LmdbEnv::open(to_dir, options));
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, from->beginRead());
  for (size_t t = 0; t < kTableCount; ++t) {
    const auto table = static_cast<Table>(t);
    if (table == Table::kById && copy.from_schema == "6") {
      EICHUB_RETURN_IF_ERROR(rebuildById(txn, *to));
    } else {
      EICHUB_RETURN_IF_ERROR(copyTable(txn, *to, table, copy));
    }
  }
  EICHUB_ASSIGN_OR_RETURN(copy.bytes_after, to->usedBytes());
  return copy;
}

Result<FormatOneContent> readFormatOneStore(const std::string& dir, const PublicKey& author,
                                            const std::string& backup_path) {
  FormatOneContent out;
  EICHUB_ASSIGN_OR_RETURN(auto env, openFormatOne(dir, out.schema_version));
  EICHUB_RETURN_IF_ERROR(env->copyTo(backup_path));
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, env->beginRead());
  EICHUB_RETURN_IF_ERROR(readOwnFeed(txn, author, out));
  EICHUB_RETURN_IF_ERROR(countOtherFeeds(txn, author, out));
  return out;
}

}  // namespace eichub::store
