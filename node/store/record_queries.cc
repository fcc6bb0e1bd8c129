// StoreQueries' record reads: one record's state, records by id, kind or skill, counts,
// search, whole-kind scans, and the state digest.
#include <algorithm>

#include "federation/crypto/sha256.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"
#include "node/store/internal/text_index.h"
#include "node/store/store_queries.h"

namespace eichub::store {
namespace {

// Domain separation: a digest of this state layout never equals any other hash.
constexpr std::string_view kDigestDomain = "eichub state digest v1\n";

// The state of the record under encoded key, with its body when held.
Result<RecordState> readState(const Txn& txn, ByteView key) {
  auto raw = txn.get(Table::kRecords, key);
  if (!raw.ok()) {
    if (raw.status().isNotFound()) return Status::NotFound("no such record");
    return raw.status();
  }
  EICHUB_ASSIGN_OR_RETURN(internal::RecordValue value, internal::decodeRecordValue(*raw));
  RecordState state;
  EICHUB_ASSIGN_OR_RETURN(state.key, internal::decodeRecordKey(key));
  state.seq = value.seq;
  state.op = value.op;
  state.body_hash = value.body_hash;
  state.time_ms = value.time_ms;
  state.applied_ms = value.applied_ms;
  state.last_upsert_seq = value.last_upsert_seq;
  EICHUB_ASSIGN_OR_RETURN(internal::StoredBody body, internal::heldStoredBody(txn, key, value));
  EICHUB_RETURN_IF_ERROR(internal::decodeStoredBodyInto(body, state.body));
  return state;
}

void hashLengthPrefixed(crypto::Sha256& sha, ByteView bytes) {
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(bytes.size() >> (56 - 8 * i));
  sha.update(ByteView(len, sizeof(len)));
  sha.update(bytes);
}

}  // namespace

Result<RecordState> StoreQueries::record(const RecordKey& key) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  return readState(txn, internal::encodeRecordKey(key));
}

Result<std::vector<RecordState>> StoreQueries::recordsById(const std::string& id) const {
  std::vector<RecordState> out;
  if (id.empty() || id.size() > feed::kMaxIdBytes) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kById));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more,
                          cursor.get(MDB_SET_KEY, &entry, internal::byIdKey(asBytes(id))));
  while (more) {
    // by_id keeps every key ever used (kind || author); the state says whether it is live.
    Bytes key(entry.value.begin(), entry.value.end());
    key.insert(key.end(), id.begin(), id.end());
    auto state = readState(txn, key);
    // Only another id with the same by_id key (keys.h) would lead to no record.
    if (!state.ok() && !state.status().isNotFound()) return state.status();
    if (state.ok() && state->op == feed::Op::UPSERT) out.push_back(std::move(state).value());
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT_DUP, &entry));
  }
  return out;
}

Result<std::vector<RecordState>> StoreQueries::recordsOfKind(catalog::Kind kind) const {
  std::vector<RecordState> out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRecords));
  const Bytes prefix{static_cast<uint8_t>(kind)};
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, prefix));
  while (more && !entry.key.empty() && entry.key[0] == prefix[0]) {
    EICHUB_ASSIGN_OR_RETURN(internal::RecordValue value, internal::decodeRecordValue(entry.value));
    RecordState state;
    EICHUB_ASSIGN_OR_RETURN(state.key, internal::decodeRecordKey(entry.key));
    state.seq = value.seq;
    state.op = value.op;
    state.body_hash = value.body_hash;
    state.time_ms = value.time_ms;
    EICHUB_ASSIGN_OR_RETURN(internal::StoredBody body,
                            internal::heldStoredBody(txn, entry.key, value));
    EICHUB_RETURN_IF_ERROR(internal::decodeStoredBodyInto(body, state.body));
    out.push_back(std::move(state));
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return out;
}

Status StoreQueries::forEachRecord(catalog::Kind kind,
                                   const std::function<void(const RecordState&)>& fn) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRecords));
  const uint8_t prefix = static_cast<uint8_t>(kind);
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, ByteView(&prefix, 1)));
  while (more && !entry.key.empty() && entry.key[0] == prefix) {
    EICHUB_ASSIGN_OR_RETURN(RecordState state, readState(txn, entry.key));
    if (state.op == feed::Op::UPSERT) fn(state);
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return Status::OK();
}

Result<std::map<std::string, uint64_t>> StoreQueries::countsByKind() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRecords));
  std::map<catalog::Kind, uint64_t> counts;
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    EICHUB_ASSIGN_OR_RETURN(internal::RecordValue value, internal::decodeRecordValue(entry.value));
    if (entry.key.empty()) return Status::Corruption("empty record key");
    if (value.op == feed::Op::UPSERT) ++counts[static_cast<catalog::Kind>(entry.key[0])];
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  std::map<std::string, uint64_t> out;
  for (const auto& [kind, count] : counts) out[std::string(catalog::kindName(kind))] = count;
  return out;
}

Result<std::vector<AuthorKindCount>> StoreQueries::countsByAuthor() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRecords));
  std::map<std::pair<PublicKey, catalog::Kind>, uint64_t> counts;
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    EICHUB_ASSIGN_OR_RETURN(internal::RecordValue value, internal::decodeRecordValue(entry.value));
    if (entry.key.size() < internal::kRecordKeyPrefixBytes) {
      return Status::Corruption("short record key");
    }
    if (value.op == feed::Op::UPSERT) {
      PublicKey author{};
      std::copy_n(entry.key.begin() + 1, author.size(), author.begin());
      ++counts[{author, static_cast<catalog::Kind>(entry.key[0])}];
    }
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  std::vector<AuthorKindCount> out;
  for (const auto& [key, count] : counts) {
    out.push_back({key.first, std::string(catalog::kindName(key.second)), count});
  }
  return out;
}

Result<std::vector<SearchHit>> StoreQueries::search(const SearchQuery& query) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  return internal::runSearch(txn, query);
}

Result<std::vector<RecordKey>> StoreQueries::recordsBySkill(const std::string& skill_uri) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  return internal::recordsWithSkill(txn, skill_uri);
}

Result<std::vector<FeedInfo>> StoreQueries::scanRecords(const std::vector<catalog::Kind>& kinds,
                                                        const RecordVisitor& visit) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  Bytes scratch;
  for (catalog::Kind kind : kinds) {
    EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRecords));
    const uint8_t prefix = static_cast<uint8_t>(kind);
    Entry entry;
    EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, ByteView(&prefix, 1)));
    while (more && !entry.key.empty() && entry.key[0] == prefix) {
      EICHUB_ASSIGN_OR_RETURN(internal::RecordValue value,
                              internal::decodeRecordValue(entry.value));
      EICHUB_ASSIGN_OR_RETURN(ByteView body, internal::heldBody(txn, entry.key, value, scratch));
      if (!body.empty()) {
        EICHUB_ASSIGN_OR_RETURN(RecordKey key, internal::decodeRecordKey(entry.key));
        EICHUB_RETURN_IF_ERROR(visit(key, body));
      }
      EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
    }
  }
  return internal::feedsIn(txn);
}

Result<Hash32> StoreQueries::digest() const {
  // Only the records table: it is a pure function of the feed prefixes held (the newest
  // update per key), and iterating it in key order is independent of arrival order and of
  // page layout. The rid at the end of each value depends on arrival order and is left out.
  // Each key and state is length-prefixed so that no two states share a stream.
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRecords));
  crypto::Sha256 sha;
  sha.update(asBytes(kDigestDomain));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    if (entry.value.size() < internal::kRecordStateBytes) {
      return Status::Corruption("bad record value size");
    }
    hashLengthPrefixed(sha, entry.key);
    hashLengthPrefixed(sha, entry.value.first(internal::kRecordStateBytes));
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return sha.finish();
}

}  // namespace eichub::store
