// Store migration: reading a feed-format-1 store (schema 2 or 3) for its author's records.
#include "node/store/migrate.h"

#include <algorithm>
#include <map>

#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"
#include "node/store/lmdb_env.h"
#include "node/store/verify.h"

namespace eichub::store {
namespace {

// The schema versions of feed format 1: 2 (bodies beside headers) and 3 (the changes table).
constexpr std::string_view kFormatOneVersions[] = {"3", "2"};

// Opens the store in dir if it names a format-1 schema version; sets version. Not read-only: a
// schema-2 store lacks the changes table, which opening creates (empty, and ignored by a build
// of that version, so the store stays a valid old store).
Result<std::unique_ptr<LmdbEnv>> openFormatOne(const std::string& dir, std::string& version) {
  Status last = Status::Corruption("not a feed-format-1 store");
  for (std::string_view candidate : kFormatOneVersions) {
    LmdbOptions options;
    options.schema_key = internal::kSchemaVersionKey;
    options.schema_version = candidate;
    auto env = LmdbEnv::open(dir, options);
    if (!env.ok()) {
      last = env.status();
      continue;
    }
    EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, (*env)->beginRead());
    // An absent version passes open's check: only a store that names a format-1 version is one.
    auto held = txn.get(Table::kMeta, asBytes(internal::kSchemaVersionKey));
    if (held.ok() && std::equal(held->begin(), held->end(), candidate.begin(), candidate.end())) {
      version = std::string(candidate);
      return std::move(env).value();
    }
  }
  return last;
}

// Walks author's headers in seq order and keeps each record's last update.
Status readOwnFeed(const ReadTxn& txn, const PublicKey& author, FormatOneContent& out) {
  struct Current {
    uint64_t seq = 0;
    feed::Op op = feed::Op::UPSERT;
    HeldRecord record;
    bool body_held = false;
  };
  std::map<std::pair<feed::Kind, std::string>, Current> current;
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kHeaders));
  Entry entry;
  const Bytes first = internal::headerKey(author, 1);
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, first));
  while (more && entry.key.size() == first.size() &&
         std::equal(author.begin(), author.end(), entry.key.begin())) {
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue value, internal::decodeHeaderValue(entry.value));
    auto fields = feed::decodeHeader(value.header);
    if (!fields.ok()) {
      return Status::Corruption("a stored header does not decode", fields.status().message());
    }
    ++out.own_updates;
    Current& record = current[{fields->kind, fields->id}];
    if (fields->op == feed::Op::ERASE) {
      record.op = feed::Op::ERASE;  // the record's bodies are gone everywhere
    } else {
      if (!bodyMatches(*fields, value.body)) {
        return Status::Corruption("a stored body does not match its header",
                                  fields->id + " seq " + std::to_string(fields->seq));
      }
      record.seq = fields->seq;
      record.op = fields->op;
      record.body_held = !value.body.empty();
      record.record = HeldRecord{fields->kind, fields->id, fields->tags,
                                 Bytes(value.body.begin(), value.body.end())};
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

}  // namespace

std::string currentSchemaVersion() { return std::string(internal::kSchemaVersion); }

bool isFormatOneStore(const std::string& dir) {
  std::string version;
  return openFormatOne(dir, version).ok();
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
