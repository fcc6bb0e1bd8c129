// Store migration (`eichub migrate`): reads a store written before feed format 2, after a
// backup, so that its author's records can be re-signed into a format-2 store; copies a
// schema-4 store (feed format 2, bodies uncompressed), a schema-5 one (by_id keyed by the id) or
// a schema-6 one (by_id keyed by a hash of every id) into the current schema.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/catalog/kinds.h"

namespace eichub::store {

// The schema version this build writes (see node/store/internal/store_impl.h).
std::string currentSchemaVersion();

// A record an author's feed made current in a feed-format-1 store, to be said again in a
// format-2 feed: its kind, id, tags and body as they were signed.
struct HeldRecord {
  catalog::Kind kind = catalog::Kind::SKILL;
  std::string id;
  std::vector<std::string> tags;
  Bytes body;
};

// What a feed-format-1 store (schema 2 or 3) holds of one author, and what it holds besides.
struct FormatOneContent {
  std::string schema_version;
  // The author's live records, in the feed order of their current versions. Deleted and erased
  // records are not among them.
  std::vector<HeldRecord> records;
  uint64_t records_without_body = 0;  // current upserts held without a body: cannot be re-signed
  uint64_t own_updates = 0;           // the author's feed length (its head seq)
  uint64_t other_feeds = 0;           // feeds of other authors, dropped by the upgrade
  uint64_t other_updates = 0;
};

// True when the store in dir names a feed-format-1 schema version (2 or 3). Such a store is not
// upgraded in place: its author's records are re-signed into a new store (readFormatOneStore,
// then `eichub migrate` publishes them), and the other feeds are fetched again from peers.
bool isFormatOneStore(const std::string& dir);

// Reads what author's feed made current in the feed-format-1 store in dir, after writing a
// compacted copy of the store to backup_path (which must not exist). Every body is checked
// against its signed header's hash. The store's content is left as it is. Errors:
// Corruption (not a format-1 store, a header that does not decode, a body that does not match
// it), AlreadyExists (backup_path), IOError.
Result<FormatOneContent> readFormatOneStore(const std::string& dir, const PublicKey& author,
                                            const std::string& backup_path);

// What copyIntoCurrentSchema did.
struct SchemaCopy {
  std::string from_schema;  // "4", "5" or "6"
  uint64_t feeds = 0;       // every feed is kept, with every update
  uint64_t updates = 0;
  uint64_t bodies_compressed = 0;  // bodies now stored compressed (schema 4; the others stay raw)
  uint64_t bytes_before = 0;       // pages in use in the old store, and in the new one
  uint64_t bytes_after = 0;
};

// The store's schema version when the store in dir is of feed format 2 and older than this
// build's schema: "4" (bodies stored raw), "5" (by_id keyed by the id) or "6" (by_id keyed by
// a hash of the id); nullopt otherwise.
std::optional<std::string> copiedSchemaVersion(const std::string& dir);

// Writes a compacted copy of the schema-4, 5 or 6 store in dir to backup_path (which must not
// exist), then copies every entry of every table, in key order, into a new store at to_dir
// (which must not exist), in the current schema: bodies compressed when smaller (from 4), by_id
// keyed by byIdKey (from 4 and 5; from 6 made again from the records). Headers, signatures, bodies'
// signed bytes, record state, indexes, change numbers and meta values are unchanged, so digests,
// feed exports and change cursors stay the same. The store in dir is left as it is. Errors:
// Corruption (not a schema 4, 5 or 6 store, a value that does not decode), AlreadyExists
// (backup_path or to_dir), IOError.
Result<SchemaCopy> copyIntoCurrentSchema(const std::string& dir, const std::string& to_dir,
                                         const std::string& backup_path);

}  // namespace eichub::store
