// The text index (token -> rid postings) and the skill index (skill uri -> rids): maintenance
// inside the apply write txn, and the search query over a read txn.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "node/catalog/kinds.h"
#include "node/search/record_terms.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/posting_buffer.h"
#include "node/store/lmdb_env.h"
#include "node/store/store_types.h"

namespace eichub::store::internal {

// Query tokens looked at; more are ignored. Each one is an AND term costing one lookup per
// candidate, and no label holds more words than this.
inline constexpr size_t kMaxQueryTokens = 32;

// The index writes of one apply batch (one write attempt): additions are queued and written
// sorted by flush(); removals go straight to the txn.
class IndexWriter {
 public:
  IndexWriter() : text_(Table::kText, kTextPostingBytes), skills_(Table::kSkillIndex, kRidBytes) {}

  // Queues the postings and skill entries of record rid for texts (terms as
  // search::indexTerms). new_rid: rid was assigned in this batch.
  void add(Rid rid, catalog::Kind kind, const search::RecordTexts& texts, bool new_rid);
  // The same with the terms and skills computed beforehand (store::PreparedBody).
  void add(Rid rid, catalog::Kind kind, const std::vector<search::Term>& terms,
           const std::vector<std::string>& skills, bool new_rid);
  // Removes what add() put for the same rid, kind and texts (recomputed from the record's old
  // body, so indexTerms must stay a pure function of the body). Missing entries are not an
  // error. Errors: lmdbStatus (ResourceExhausted with txn.mapFull() on MDB_MAP_FULL).
  Status remove(WriteTxn& txn, Rid rid, catalog::Kind kind, const search::RecordTexts& texts);
  // Writes the queued additions. Errors: as PostingBuffer::flush.
  Status flush(WriteTxn& txn);
  // Drops everything queued, keeping the memory.
  void clear();

 private:
  template <typename Skills>
  void queue(Rid rid, catalog::Kind kind, const std::vector<search::Term>& terms,
             const Skills& skills, bool new_rid);

  PostingBuffer text_;
  PostingBuffer skills_;
  std::unordered_set<Rid> queued_;  // rids whose postings add() queued in this batch
};

// The record key stored for rid (borrowed from txn). Errors: Corruption when rid is unknown
// (postings always name stored records), lmdbStatus.
Result<ByteView> ridRecordKey(const Txn& txn, Rid rid);

// Runs query inside txn (see StoreQueries::search). Candidates come from the shortest posting
// list; the other tokens are checked with MDB_GET_BOTH_RANGE on the rid; record keys are read
// only for the candidates that can reach the top (the tie-break is key order, not rid order,
// which differs between nodes); bodies only for the lang filter. Errors: lmdbStatus,
// Corruption for malformed postings.
Result<std::vector<SearchHit>> runSearch(const Txn& txn, const SearchQuery& query);

// Live record keys referencing skill_uri, in key order.
Result<std::vector<RecordKey>> recordsWithSkill(const Txn& txn, std::string_view skill_uri);

// The body held for the record whose state is value, under record key key: its signed bytes,
// empty when not held, borrowed from txn when stored raw or else from scratch (body_codec.h).
// Errors: Corruption (key, header or stored body malformed, or the header missing), lmdbStatus.
Result<ByteView> heldBody(const Txn& txn, ByteView key, const RecordValue& value, Bytes& scratch);
// The same body as stored (borrowed from txn), for a caller that copies it out once with
// decodeStoredBodyInto. An empty StoredBody for a tombstone.
Result<StoredBody> heldStoredBody(const Txn& txn, ByteView key, const RecordValue& value);

}  // namespace eichub::store::internal
