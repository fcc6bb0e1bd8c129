// The text index (token -> record postings) and the skill index (skill uri -> record keys):
// maintenance inside the apply write txn, and the search query over a read txn.
#pragma once

#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "node/search/record_terms.h"
#include "node/store/catalog_store.h"
#include "node/store/lmdb_env.h"

namespace eichub::store::internal {

// Query tokens looked at; more are ignored. Each one is an AND term costing one lookup per
// candidate, and no label holds more words than this.
inline constexpr size_t kMaxQueryTokens = 32;

// Adds the postings and skill entries of the record whose encoded key is record_key.
// Errors: lmdbStatus (ResourceExhausted with txn.mapFull() on MDB_MAP_FULL).
Status addToIndexes(WriteTxn& txn, ByteView record_key, const search::RecordTexts& texts);
// Removes what addToIndexes added for the same texts (they are recomputed from the old body,
// so indexTerms must stay a pure function of the body). Missing entries are not an error.
Status removeFromIndexes(WriteTxn& txn, ByteView record_key, const search::RecordTexts& texts);

// Runs query inside txn (see CatalogStore::search). Candidates come from the shortest posting
// list; the other tokens are checked with MDB_GET_BOTH_RANGE; bodies are read only for the lang
// filter. Errors: lmdbStatus, Corruption for malformed postings.
Result<std::vector<SearchHit>> runSearch(const Txn& txn, const SearchQuery& query);

// Live record keys referencing skill_uri, in key order.
Result<std::vector<RecordKey>> recordsWithSkill(const Txn& txn, std::string_view skill_uri);

}  // namespace eichub::store::internal
