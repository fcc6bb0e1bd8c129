// CatalogStore: the node's LMDB store of feeds and the catalogue state derived from them
// (docs/architecture.md "Store tables"). One environment; one write transaction per applied batch.
//
// Thread-safety: a CatalogStore may be shared by threads for reads; apply() calls must come
// from one thread at a time (LMDB serialises writers anyway). Several processes may open the
// same home: the daemon read-write and CLI commands read-only or read-write.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/catalog/kinds.h"

namespace eichub::store {

struct StoreOptions {
  bool read_only = false;
  // The local clock, ms since the epoch, for RecordState/ChangeEntry::applied_ms; the system
  // clock when empty (tests inject one).
  std::function<int64_t()> now_ms;
  uint64_t initial_map_bytes = 256ull << 20;  // grows by doubling on MDB_MAP_FULL
  uint64_t max_map_bytes = 1ull << 40;        // hard cap: a store never grows past this
};

// Identifies one catalogue record: only its author's feed can change it.
struct RecordKey {
  catalog::Kind kind = catalog::Kind::SKILL;
  PublicKey author{};
  std::string id;
  auto operator<=>(const RecordKey&) const = default;
};

// The current state of one record: the newest update of its author's feed that touches it.
struct RecordState {
  RecordKey key;
  uint64_t seq = 0;
  feed::Op op = feed::Op::UPSERT;  // DELETE: a tombstone
  Hash32 body_hash{};
  int64_t time_ms = 0;  // the author's signed time of that update
  Bytes body;           // the record's canonical bytes; empty for a tombstone or an erased body
  // Node-local, never in the digest. 0 in state stored before these fields (schema 5 stores
  // written by older builds): a reader falls back to time_ms and to no last upsert.
  int64_t applied_ms = 0;        // this node's clock when it stored this state
  uint64_t last_upsert_seq = 0;  // the newest upsert up to seq: for a tombstone, the version
                                 // it ended (whose header keeps the record's tags)
};

// What one apply() did.
struct ApplyStats {
  uint64_t applied = 0;          // new updates stored
  uint64_t duplicates = 0;       // updates already held (same seq and hash): harmless, skipped
  uint64_t unindexed = 0;        // upserts stored without index terms: body not held, or not a
                                 // readable Record (the feed stays verifiable; search skips them)
  uint64_t erased_bodies = 0;    // bodies dropped by erases (the headers stay)
  uint64_t bodies_attached = 0;  // bodies stored for held header-only upserts (duplicates)
  uint64_t stale_bodies = 0;     // bodies of held upserts that are not their record's current
                                 // version (superseded, deleted or erased): not stored
};

class ApplySession;

struct SearchQuery {
  std::string text;                   // words; every word must match (case/accent-insensitive)
  std::optional<catalog::Kind> kind;  // restrict to one kind
  std::string lang;                   // restrict to records with a matching label in this language
  size_t limit = 10;
};

struct SearchHit {
  RecordKey key;
  double score = 0;  // higher is better
};

// How many live records one author holds of one kind.
struct AuthorKindCount {
  PublicKey author{};
  std::string kind;  // kind name, as countsByKind
  uint64_t count = 0;
};

struct FeedInfo {
  PublicKey author{};
  feed::Head head;
  uint64_t verified_up_to = 0;  // every signature up to this seq has been checked
};

// One applied update, in the node-local order of the change feed. The number is assigned when
// this node stores the update (1, 2, 3 ...), so it differs between nodes and is a cursor into
// this node's changes only; duplicates get no number.
struct ChangeEntry {
  uint64_t number = 0;
  PublicKey author{};
  uint64_t seq = 0;
  catalog::Kind kind = catalog::Kind::SKILL;
  feed::Op op = feed::Op::UPSERT;
  std::string id;
  int64_t applied_ms = 0;  // this node's clock when it stored the update; 0 in older entries
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

  // Applies verified updates in one write transaction: all or nothing. Updates must extend
  // their feed's head contiguously (seq == head+1, prev == head hash, time >= head time), in
  // order; an update already held with the same hash counts as a duplicate. A duplicate upsert
  // that brings the body of a header held without one stores (and indexes) that body when it
  // is its record's current version; otherwise the body is dropped (stale_bodies), so a body an
  // erase dropped never comes back. An erase drops the bodies of the upserts it names and
  // ends the record like a delete. A gap or a broken link, or an erase naming a seq that is not
  // an upsert of its record, fails the whole batch with InvalidArgument. A different header at
  // a held seq fails with Corruption("fork ..."). Grows the map on MDB_MAP_FULL and retries.
  Result<ApplyStats> apply(const std::vector<feed::VerifiedUpdate>& batch);
  // Begins a write transaction that several batches extend (apply_session.h): for bulk
  // publishes. Blocks while another writer, in any process, holds the write lock.
  // Errors: lmdbStatus, PermissionDenied (read-only).
  Result<std::unique_ptr<ApplySession>> beginApplySession();

  // The head of one feed; a Head with seq 0 if the feed is unknown.
  Result<feed::Head> head(const PublicKey& author) const;
  // Every feed held, in author order.
  Result<std::vector<FeedInfo>> feeds() const;
  // Updates of one feed with from_seq <= seq <= to_seq, oldest first, at most max_count and
  // max_bytes of header, signature and body (at least one update: the first may be larger).
  Result<std::vector<feed::SignedUpdate>> readFeed(const PublicKey& author, uint64_t from_seq,
                                                   uint64_t to_seq, size_t max_count,
                                                   size_t max_bytes = SIZE_MAX) const;

  // For each of keys (all of author's feed), the seqs of its upserts whose bodies no erase in
  // the feed has named yet, ascending: what an erase of the record must name. Reads every
  // header of the feed (O(feed length)), so callers gather their keys into one call.
  Result<std::map<RecordKey, std::vector<uint64_t>>> erasableVersions(
      const PublicKey& author, const std::vector<RecordKey>& keys) const;

  // Upserts held without their body that are their record's current version and whose header
  // wanted accepts, in feed order (author, seq) strictly after (after_author, after_seq), at
  // most max_count: the bodies selective sync still has to fetch. Each comes with its header
  // and signature (body empty). Reads every header after the start point that has no body.
  // Errors: Corruption, lmdbStatus.
  using HeaderFilter = std::function<bool(const feed::HeaderFields&)>;
  Result<std::vector<feed::SignedUpdate>> missingBodies(const HeaderFilter& wanted,
                                                        const PublicKey& after_author,
                                                        uint64_t after_seq, size_t max_count) const;
  // Makes author's record state exactly what its feed's valid prefix gives: updates 1..P,
  // where P + 1 is the first held update valid() refuses (or P is the head). Records whose
  // state came from a later update go back to the newest update <= P that touched them, or
  // leave the state when none did; records of the prefix missing from the state come back.
  // Headers stay stored. One write transaction. Returns P. Trust uses it when a revocation
  // or removal arrives after the updates it cuts. Errors: lmdbStatus, Corruption.
  Result<uint64_t> restate(const PublicKey& author,
                           const std::function<bool(const feed::HeaderFields&)>& valid);

  // Drops the body held at (author, seq) when it does not match its header (verify.h
  // bodyMatches), in one write transaction, so that the node fetches it again from its peers as
  // a missing body; the record's state and index entries stay. A body that matches is never
  // dropped. Returns whether a body was dropped. Errors: NotFound (no header there), Corruption
  // (the header does not decode), lmdbStatus. Implemented in verify.cc.
  Result<bool> dropBadBody(const PublicKey& author, uint64_t seq);

  // Every record of one kind, tombstones included, in key order, with bodies.
  Result<std::vector<RecordState>> recordsOfKind(catalog::Kind kind) const;

  // The current state of one record; NotFound if no update ever touched it.
  Result<RecordState> record(const RecordKey& key) const;
  // Calls fn with every live record of kind (body included when held), in key order, inside
  // one read txn: fn must not call back into the store. Errors: Corruption, lmdbStatus.
  Status forEachRecord(catalog::Kind kind, const std::function<void(const RecordState&)>& fn) const;
  // Every live (non-deleted) record with this id, any kind, any author, in key order.
  Result<std::vector<RecordState>> recordsById(const std::string& id) const;
  // Live records per kind name ("Skill", "LearningResource", ...).
  Result<std::map<std::string, uint64_t>> countsByKind() const;
  // Live records per author and kind, in (author, kind) order; one read txn over every record
  // key (O(records)). Errors: Corruption, lmdbStatus.
  Result<std::vector<AuthorKindCount>> countsByAuthor() const;

  // Records matching every word of query.text (tokenized as search::tokenize: case- and
  // accent-insensitive), best first: score = sum over words of the best field weight holding
  // it (label/title 2, alternative label/keyword 1); ties go to the shorter label, then to key
  // order. kind and lang filter; at most limit hits. An empty query or limit 0 gives no hits.
  // Tombstones are never found. Errors: IOError, Corruption.
  Result<std::vector<SearchHit>> search(const SearchQuery& query) const;
  // Live records that reference skill_uri (LearningResource.teaches, Occupation.skills,
  // SkillNeed.skills), in key order. Errors: IOError, Corruption.
  Result<std::vector<RecordKey>> recordsBySkill(const std::string& skill_uri) const;

  // Visits every live record of each kind in kinds (kinds in the order given, records in key
  // order) whose body is held, all in one read txn, and returns the heads of every feed as of
  // that txn: the state the visits saw. body is borrowed and valid only during the call. A
  // visitor's error stops the scan and is returned. Errors: the visitor's, IOError, Corruption.
  using RecordVisitor = std::function<Status(const RecordKey& key, ByteView body)>;
  Result<std::vector<FeedInfo>> scanRecords(const std::vector<catalog::Kind>& kinds,
                                            const RecordVisitor& visit) const;
  // Applied updates with number > since, oldest first, at most limit. Errors: IOError,
  // Corruption.
  Result<std::vector<ChangeEntry>> changes(uint64_t since, size_t limit) const;
  // The number of the last applied update (0 for none). Errors: IOError, Corruption.
  Result<uint64_t> lastChange() const;

  // Upsert versions whose bodies erases held here named (dropped, or never held): they are
  // never fetched or stored again. Counts marks, O(erased versions). Errors: lmdbStatus.
  Result<uint64_t> erasedBodies() const;

  // SHA-256 over the state in key order: equal for equal sets of feed prefixes.
  Result<Hash32> digest() const;
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

  struct Impl;

 private:
  // Passkey: only open() builds a CatalogStore, through std::make_unique.
  struct Token {
    explicit Token() = default;
  };

 public:
  CatalogStore(Token, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace eichub::store
