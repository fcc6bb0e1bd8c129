// Text and skill index maintenance and the AND search over posting lists.
// Postings carry their field weight and label length, so ranking reads no bodies.
#include "node/store/internal/text_index.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "node/search/tokenize.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/record_body.h"

namespace eichub::store::internal {
namespace {

bool startsWith(ByteView bytes, ByteView prefix) {
  return bytes.size() >= prefix.size() &&
         std::memcmp(bytes.data(), prefix.data(), prefix.size()) == 0;
}

bool bytesLess(ByteView a, ByteView b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// The posting of record_key under token, if any. Postings of records whose id extends this one
// share the prefix, so the exact one is recognised by its length.
Result<std::optional<Posting>> findPosting(Cursor& cursor, const std::string& token,
                                           ByteView record_key) {
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found,
                          cursor.get(MDB_GET_BOTH_RANGE, &entry, asBytes(token), record_key));
  while (found && startsWith(entry.value, record_key)) {
    if (entry.value.size() == record_key.size() + kPostingSuffixBytes) {
      EICHUB_ASSIGN_OR_RETURN(Posting posting, decodePosting(entry.value));
      return std::optional<Posting>(posting);
    }
    EICHUB_ASSIGN_OR_RETURN(found, cursor.get(MDB_NEXT_DUP, &entry));
  }
  return std::optional<Posting>();
}

struct Candidate {
  ByteView key;  // borrowed from the read txn
  double score = 0;
  uint16_t label_bytes = 0;
};

// Higher score first, then the shorter label, then key order: deterministic on every node.
bool ranksBefore(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.label_bytes != b.label_bytes) return a.label_bytes < b.label_bytes;
  return bytesLess(a.key, b.key);
}

// The candidate for posting (a record holding tokens[driver_index]) if it holds every other
// token too, scored with the best field weight of each token.
Result<std::optional<Candidate>> scoreCandidate(Cursor& probe,
                                                const std::vector<std::string>& tokens,
                                                size_t driver_index, const Posting& posting) {
  Candidate candidate{posting.record_key, static_cast<double>(posting.weight), posting.label_bytes};
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i == driver_index) continue;
    EICHUB_ASSIGN_OR_RETURN(auto other, findPosting(probe, tokens[i], posting.record_key));
    if (!other) return std::optional<Candidate>();
    candidate.score += other->weight;
    candidate.label_bytes = std::max(candidate.label_bytes, other->label_bytes);
  }
  return std::optional<Candidate>(candidate);
}

// Whether the record has texts in lang holding every token (post-filter: reads the body).
Result<bool> matchesLang(const Txn& txn, ByteView key, std::string_view lang,
                         const std::vector<std::string>& tokens) {
  EICHUB_ASSIGN_OR_RETURN(ByteView raw_state, txn.get(Table::kRecords, key));
  EICHUB_ASSIGN_OR_RETURN(RecordValue state, decodeRecordValue(raw_state));
  auto body = txn.get(Table::kBodies, state.body_hash);
  if (!body.ok()) return false;  // indexed records have bodies; be lenient anyway
  auto texts = bodyTexts(*body);
  if (!texts.ok()) return false;
  return search::langTextsContain(*texts, lang, tokens);
}

}  // namespace

Status addToIndexes(WriteTxn& txn, ByteView record_key, const search::RecordTexts& texts) {
  for (const search::Term& term : search::indexTerms(texts)) {
    Bytes posting = encodePosting(record_key, term.weight, term.label_bytes);
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kText, asBytes(term.token), posting));
  }
  for (const std::string& skill : texts.skills) {
    // LMDB keys hold at most 511 bytes; a longer "uri" is not one ESCO or anyone publishes.
    if (skill.size() > kMaxLmdbKeyBytes) continue;
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kSkillIndex, asBytes(skill), record_key));
  }
  return Status::OK();
}

Status removeFromIndexes(WriteTxn& txn, ByteView record_key, const search::RecordTexts& texts) {
  for (const search::Term& term : search::indexTerms(texts)) {
    Bytes posting = encodePosting(record_key, term.weight, term.label_bytes);
    EICHUB_ASSIGN_OR_RETURN(bool deleted, txn.del(Table::kText, asBytes(term.token), posting,
                                                  /*with_value=*/true));
    (void)deleted;
  }
  for (const std::string& skill : texts.skills) {
    if (skill.size() > kMaxLmdbKeyBytes) continue;
    EICHUB_ASSIGN_OR_RETURN(bool deleted, txn.del(Table::kSkillIndex, asBytes(skill), record_key,
                                                  /*with_value=*/true));
    (void)deleted;
  }
  return Status::OK();
}

Result<std::vector<SearchHit>> runSearch(const Txn& txn, const SearchQuery& query) {
  std::vector<SearchHit> hits;
  if (query.limit == 0) return hits;
  std::vector<std::string> tokens = search::tokenize(query.text, kMaxQueryTokens);
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  if (tokens.empty()) return hits;

  // The shortest posting list drives; a token with no postings means no hit at all.
  EICHUB_ASSIGN_OR_RETURN(Cursor driver, txn.cursor(Table::kText));
  size_t driver_index = 0;
  uint64_t driver_count = UINT64_MAX;
  Entry entry;
  for (size_t i = 0; i < tokens.size(); ++i) {
    EICHUB_ASSIGN_OR_RETURN(bool found, driver.get(MDB_SET_KEY, &entry, asBytes(tokens[i])));
    if (!found) return hits;
    EICHUB_ASSIGN_OR_RETURN(uint64_t count, driver.countDups());
    if (count < driver_count) {
      driver_count = count;
      driver_index = i;
    }
  }

  EICHUB_ASSIGN_OR_RETURN(Cursor probe, txn.cursor(Table::kText));
  std::vector<Candidate> candidates;
  candidates.reserve(driver_count);
  EICHUB_ASSIGN_OR_RETURN(bool more,
                          driver.get(MDB_SET_KEY, &entry, asBytes(tokens[driver_index])));
  while (more) {
    EICHUB_ASSIGN_OR_RETURN(Posting posting, decodePosting(entry.value));
    if (!query.kind || posting.record_key[0] == static_cast<uint8_t>(*query.kind)) {
      EICHUB_ASSIGN_OR_RETURN(auto candidate, scoreCandidate(probe, tokens, driver_index, posting));
      if (candidate) candidates.push_back(*candidate);
    }
    EICHUB_ASSIGN_OR_RETURN(more, driver.get(MDB_NEXT_DUP, &entry));
  }

  if (query.lang.empty()) {
    size_t n = std::min(query.limit, candidates.size());
    std::partial_sort(candidates.begin(), candidates.begin() + static_cast<ptrdiff_t>(n),
                      candidates.end(), ranksBefore);
    candidates.resize(n);
  } else {
    std::sort(candidates.begin(), candidates.end(), ranksBefore);
  }
  for (const Candidate& candidate : candidates) {
    if (hits.size() >= query.limit) break;
    if (!query.lang.empty()) {
      EICHUB_ASSIGN_OR_RETURN(bool keep, matchesLang(txn, candidate.key, query.lang, tokens));
      if (!keep) continue;
    }
    EICHUB_ASSIGN_OR_RETURN(RecordKey key, decodeRecordKey(candidate.key));
    hits.push_back(SearchHit{std::move(key), candidate.score});
  }
  return hits;
}

Result<std::vector<RecordKey>> recordsWithSkill(const Txn& txn, std::string_view skill_uri) {
  std::vector<RecordKey> keys;
  if (skill_uri.empty() || skill_uri.size() > kMaxLmdbKeyBytes) return keys;
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kSkillIndex));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_KEY, &entry, asBytes(skill_uri)));
  while (more) {
    EICHUB_ASSIGN_OR_RETURN(RecordKey key, decodeRecordKey(entry.value));
    keys.push_back(std::move(key));
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT_DUP, &entry));
  }
  return keys;
}

}  // namespace eichub::store::internal
