// Text and skill index maintenance and the AND search over rid posting lists.
// Postings carry the record's kind, field weight and label length, so ranking reads no bodies.
#include "node/store/internal/text_index.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "node/search/tokenize.h"
#include "node/store/internal/header_table.h"
#include "node/store/internal/record_body.h"

namespace eichub::store::internal {
namespace {

bool bytesLess(ByteView a, ByteView b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// The posting of rid under token, if any: postings sort by rid, so GET_BOTH_RANGE on the rid
// lands on it when it exists.
Result<std::optional<TextPosting>> findPosting(Cursor& cursor, const std::string& token, Rid rid) {
  const auto rid_key = ridKey(rid);
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found,
                          cursor.get(MDB_GET_BOTH_RANGE, &entry, asBytes(token), rid_key));
  if (!found || entry.value.size() < kRidBytes ||
      std::memcmp(entry.value.data(), rid_key.data(), kRidBytes) != 0) {
    return std::optional<TextPosting>();
  }
  EICHUB_ASSIGN_OR_RETURN(TextPosting posting, decodeTextPosting(entry.value));
  return std::optional<TextPosting>(posting);
}

struct Candidate {
  Rid rid = 0;
  double score = 0;
  uint16_t label_bytes = 0;
  ByteView key;  // resolved only for candidates that may reach the top; borrowed from the txn
};

// Higher score first, then the shorter label. Ties need the key (ranksBefore).
bool scoresBefore(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.label_bytes < b.label_bytes;
}
bool scoresEqual(const Candidate& a, const Candidate& b) {
  return a.score == b.score && a.label_bytes == b.label_bytes;
}
// The full order, deterministic on every node: score, label length, then record key.
bool ranksBefore(const Candidate& a, const Candidate& b) {
  if (!scoresEqual(a, b)) return scoresBefore(a, b);
  return bytesLess(a.key, b.key);
}

// The candidate for posting (a record holding tokens[driver_index]) if it holds every other
// token too, scored with the best field weight of each token.
Result<std::optional<Candidate>> scoreCandidate(Cursor& probe,
                                                const std::vector<std::string>& tokens,
                                                size_t driver_index, const TextPosting& posting) {
  Candidate candidate{posting.rid, static_cast<double>(posting.weight), posting.label_bytes, {}};
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i == driver_index) continue;
    EICHUB_ASSIGN_OR_RETURN(auto other, findPosting(probe, tokens[i], posting.rid));
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
  Bytes scratch;
  EICHUB_ASSIGN_OR_RETURN(ByteView body, heldBody(txn, key, state, scratch));
  if (body.empty()) return false;  // indexed records have bodies; be lenient anyway
  auto texts = bodyTexts(body);
  if (!texts.ok()) return false;
  return search::langTextsContain(texts->texts, lang, tokens);
}

Status resolveKeys(const Txn& txn, std::vector<Candidate>::iterator begin,
                   std::vector<Candidate>::iterator end) {
  for (auto it = begin; it != end; ++it) {
    EICHUB_ASSIGN_OR_RETURN(it->key, ridRecordKey(txn, it->rid));
  }
  return Status::OK();
}

// The best limit candidates in full rank order. Only those scoring at least as well as the
// limit-th one can make it, so only their keys are read.
Result<std::vector<Candidate>> topCandidates(const Txn& txn, std::vector<Candidate> candidates,
                                             size_t limit) {
  if (candidates.size() > limit) {
    auto nth = candidates.begin() + static_cast<ptrdiff_t>(limit - 1);
    std::nth_element(candidates.begin(), nth, candidates.end(), scoresBefore);
    const Candidate boundary = *nth;
    auto tail = std::partition(nth + 1, candidates.end(), [&boundary](const Candidate& c) {
      return scoresEqual(c, boundary);
    });
    candidates.erase(tail, candidates.end());
  }
  EICHUB_RETURN_IF_ERROR(resolveKeys(txn, candidates.begin(), candidates.end()));
  std::sort(candidates.begin(), candidates.end(), ranksBefore);
  if (candidates.size() > limit) candidates.resize(limit);
  return candidates;
}

}  // namespace

void IndexWriter::add(Rid rid, catalog::Kind kind, const search::RecordTexts& texts, bool new_rid) {
  queue(rid, kind, search::indexTerms(texts), texts.skills, new_rid);
}

void IndexWriter::add(Rid rid, catalog::Kind kind, const std::vector<search::Term>& terms,
                      const std::vector<std::string>& skills, bool new_rid) {
  queue(rid, kind, terms, skills, new_rid);
}

template <typename Skills>
void IndexWriter::queue(Rid rid, catalog::Kind kind, const std::vector<search::Term>& terms,
                        const Skills& skills, bool new_rid) {
  queued_.insert(rid);
  for (const search::Term& term : terms) {
    TextPostingBytes posting = encodeTextPosting({rid, kind, term.weight, term.label_bytes});
    text_.add(term.token, posting, new_rid);
  }
  const auto rid_key = ridKey(rid);
  for (std::string_view skill : skills) {
    // LMDB keys hold at most 511 bytes; a longer "uri" is not one ESCO or anyone publishes.
    if (skill.size() > kMaxLmdbKeyBytes) continue;
    skills_.add(skill, rid_key, new_rid);
  }
}

Status IndexWriter::remove(WriteTxn& txn, Rid rid, catalog::Kind kind,
                           const search::RecordTexts& texts) {
  // Postings queued in this batch are then the only ones of rid: queuing them followed the
  // removal of the older ones.
  const bool queued = queued_.erase(rid) > 0;
  for (const search::Term& term : search::indexTerms(texts)) {
    if (queued) {
      text_.drop(term.token, rid);
      continue;
    }
    TextPostingBytes posting = encodeTextPosting({rid, kind, term.weight, term.label_bytes});
    EICHUB_ASSIGN_OR_RETURN(bool deleted, txn.del(Table::kText, asBytes(term.token), posting,
                                                  /*with_value=*/true));
    (void)deleted;
  }
  const auto rid_key = ridKey(rid);
  for (std::string_view skill : texts.skills) {
    if (skill.size() > kMaxLmdbKeyBytes) continue;
    if (queued) {
      skills_.drop(skill, rid);
      continue;
    }
    EICHUB_ASSIGN_OR_RETURN(bool deleted, txn.del(Table::kSkillIndex, asBytes(skill), rid_key,
                                                  /*with_value=*/true));
    (void)deleted;
  }
  return Status::OK();
}

Status IndexWriter::flush(WriteTxn& txn) {
  EICHUB_RETURN_IF_ERROR(text_.flush(txn));
  return skills_.flush(txn);
}

void IndexWriter::clear() {
  text_.clear();
  skills_.clear();
  queued_.clear();
}

Result<ByteView> ridRecordKey(const Txn& txn, Rid rid) {
  auto key = txn.get(Table::kRidKeys, ridKey(rid));
  if (!key.ok() && key.status().isNotFound()) {
    return Status::Corruption("posting of an unknown record", std::to_string(rid));
  }
  return key;
}

Result<StoredBody> heldStoredBody(const Txn& txn, ByteView key, const RecordValue& value) {
  if (value.op != feed::Op::UPSERT) return StoredBody{};
  if (key.size() < kRecordKeyPrefixBytes) return Status::Corruption("short record key");
  PublicKey author{};
  std::copy(key.begin() + 1, key.begin() + kRecordKeyPrefixBytes, author.begin());
  auto raw = getHeaderValue(txn, author, value.seq);
  if (!raw.ok()) {
    if (raw.status().isNotFound()) return Status::Corruption("record without its header");
    return raw.status();
  }
  EICHUB_ASSIGN_OR_RETURN(HeaderValue header, decodeHeaderValue(*raw));
  return header.body;
}

Result<ByteView> heldBody(const Txn& txn, ByteView key, const RecordValue& value, Bytes& scratch) {
  EICHUB_ASSIGN_OR_RETURN(StoredBody stored, heldStoredBody(txn, key, value));
  return decodeStoredBody(stored, scratch);
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
    EICHUB_ASSIGN_OR_RETURN(TextPosting posting, decodeTextPosting(entry.value));
    if (!query.kind || posting.kind == *query.kind) {
      EICHUB_ASSIGN_OR_RETURN(auto candidate, scoreCandidate(probe, tokens, driver_index, posting));
      if (candidate) candidates.push_back(*candidate);
    }
    EICHUB_ASSIGN_OR_RETURN(more, driver.get(MDB_NEXT_DUP, &entry));
  }

  if (query.lang.empty()) {
    EICHUB_ASSIGN_OR_RETURN(candidates, topCandidates(txn, std::move(candidates), query.limit));
    for (const Candidate& candidate : candidates) {
      EICHUB_ASSIGN_OR_RETURN(RecordKey key, decodeRecordKey(candidate.key));
      hits.push_back(SearchHit{std::move(key), candidate.score});
    }
    return hits;
  }
  // The lang filter rejects an unknown number of candidates: walk groups of equal score in
  // order, each put in key order once its keys are read, until limit hits.
  std::sort(candidates.begin(), candidates.end(), scoresBefore);
  for (auto group = candidates.begin(); group != candidates.end() && hits.size() < query.limit;) {
    auto group_end = std::find_if(group, candidates.end(),
                                  [&group](const Candidate& c) { return !scoresEqual(c, *group); });
    EICHUB_RETURN_IF_ERROR(resolveKeys(txn, group, group_end));
    std::sort(group, group_end, ranksBefore);
    for (auto it = group; it != group_end && hits.size() < query.limit; ++it) {
      EICHUB_ASSIGN_OR_RETURN(bool keep, matchesLang(txn, it->key, query.lang, tokens));
      if (!keep) continue;
      EICHUB_ASSIGN_OR_RETURN(RecordKey key, decodeRecordKey(it->key));
      hits.push_back(SearchHit{std::move(key), it->score});
    }
    group = group_end;
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
    EICHUB_ASSIGN_OR_RETURN(Rid rid, decodeRid(entry.value));
    EICHUB_ASSIGN_OR_RETURN(ByteView raw_key, ridRecordKey(txn, rid));
    EICHUB_ASSIGN_OR_RETURN(RecordKey key, decodeRecordKey(raw_key));
    keys.push_back(std::move(key));
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT_DUP, &entry));
  }
  // Postings are in rid (arrival) order, which differs between nodes.
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace eichub::store::internal
