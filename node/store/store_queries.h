// StoreQueries: every read of the store. Feeds (heads, updates in feed order, bodies still to
// fetch, erasures, the change feed) are in feed_queries.cc; records (state, counts, search,
// scans, the digest) in record_queries.cc. Each call runs in one short read txn and copies what
// it returns out of LMDB, except where a visitor is handed borrowed bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/catalog/kinds.h"
#include "node/store/store_types.h"

namespace eichub::store {

namespace internal {
struct StoreImpl;
}  // namespace internal

// Reached through CatalogStore::queries(), which owns it. Thread-safety: every call is safe
// from any thread, beside writers in this and other processes (LMDB MVCC).
class StoreQueries {
 public:
  explicit StoreQueries(const internal::StoreImpl& impl) : impl_(impl) {}
  StoreQueries(const StoreQueries&) = delete;
  StoreQueries& operator=(const StoreQueries&) = delete;

  // Feeds (feed_queries.cc).

  // The head of one feed; a Head with seq 0 if the feed is unknown.
  Result<feed::Head> head(const PublicKey& author) const;
  // Every feed held, in author order.
  Result<std::vector<FeedInfo>> feeds() const;
  // Updates of one feed with from_seq <= seq <= to_seq, oldest first, at most max_count and
  // max_bytes of header, signature and body (at least one update: the first may be larger).
  // A body stored compressed comes with its frame in body_zstd, which a sync server may send.
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

  // Upsert versions whose bodies erases held here named (dropped, or never held): they are
  // never fetched or stored again. Counts marks, O(erased versions). Errors: lmdbStatus.
  Result<uint64_t> erasedBodies() const;

  // Applied updates with number > since, oldest first, at most limit. Errors: IOError,
  // Corruption.
  Result<std::vector<ChangeEntry>> changes(uint64_t since, size_t limit) const;
  // The number of the last applied update (0 for none). Errors: IOError, Corruption.
  Result<uint64_t> lastChange() const;

  // Records (record_queries.cc).

  // The current state of one record; NotFound if no update ever touched it.
  Result<RecordState> record(const RecordKey& key) const;
  // Every live (non-deleted) record with this id, any kind, any author, in key order.
  Result<std::vector<RecordState>> recordsById(const std::string& id) const;
  // Every record of one kind, tombstones included, in key order, with bodies.
  Result<std::vector<RecordState>> recordsOfKind(catalog::Kind kind) const;
  // Calls fn with every live record of kind (body included when held), in key order, inside
  // one read txn: fn must not call back into the store. Errors: Corruption, lmdbStatus.
  Status forEachRecord(catalog::Kind kind, const std::function<void(const RecordState&)>& fn) const;
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

  // SHA-256 over the state in key order: equal for equal sets of feed prefixes.
  Result<Hash32> digest() const;

 private:
  const internal::StoreImpl& impl_;
};

}  // namespace eichub::store
