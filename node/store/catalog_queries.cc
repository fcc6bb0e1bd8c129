// CatalogStore's read side: heads and feeds, records, counts, search, the state digest.
// Every call runs in one short read txn and copies what it returns out of LMDB.
#include <algorithm>
#include <cstring>
#include <iterator>

#include "federation/crypto/sha256.h"
#include "node/catalog/record_json.h"
#include "node/store/catalog_store.h"
#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"
#include "node/store/internal/text_index.h"

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

// Every feed held in txn, in author order.
Result<std::vector<FeedInfo>> feedsIn(const Txn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kHeads));
  std::vector<FeedInfo> out;
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_FIRST, &entry));
  while (more) {
    if (entry.key.size() != kPublicKeyBytes) return Status::Corruption("bad heads key");
    EICHUB_ASSIGN_OR_RETURN(internal::HeadValue value, internal::decodeHead(entry.value));
    FeedInfo info;
    std::copy(entry.key.begin(), entry.key.end(), info.author.begin());
    EICHUB_RETURN_IF_ERROR(internal::fillFeedBytes(txn, info.author, value));
    info.head = value.head;
    info.verified_up_to = value.verified_up_to;
    out.push_back(info);
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return out;
}

}  // namespace

Result<feed::Head> CatalogStore::head(const PublicKey& author) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  auto raw = txn.get(Table::kHeads, author);
  if (!raw.ok()) {
    if (raw.status().isNotFound()) return feed::Head{};
    return raw.status();
  }
  EICHUB_ASSIGN_OR_RETURN(internal::HeadValue value, internal::decodeHead(*raw));
  EICHUB_RETURN_IF_ERROR(internal::fillFeedBytes(txn, author, value));
  return value.head;
}

Result<std::vector<FeedInfo>> CatalogStore::feeds() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  return feedsIn(txn);
}

Result<std::vector<feed::SignedUpdate>> CatalogStore::readFeed(const PublicKey& author,
                                                               uint64_t from_seq, uint64_t to_seq,
                                                               size_t max_count,
                                                               size_t max_bytes) const {
  std::vector<feed::SignedUpdate> out;
  size_t bytes = 0;
  if (max_count == 0 || from_seq > to_seq) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(internal::FeedWalker walker, internal::FeedWalker::open(txn));
  EICHUB_ASSIGN_OR_RETURN(bool more, walker.seek(author, from_seq));
  while (more && out.size() < max_count) {
    if (!std::equal(author.begin(), author.end(), walker.author().begin())) break;  // next feed
    if (walker.seq() > to_seq) break;
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue value,
                            internal::decodeHeaderValue(walker.value()));
    feed::SignedUpdate update;
    update.header.assign(value.header.begin(), value.header.end());
    update.signature.assign(value.signature.begin(), value.signature.end());
    // A stored body that does not decompress (a damaged disk) reads as its stored bytes, which
    // cannot match the header's hash: like any damaged body, `verify` reports it and
    // dropBadBody drops it to be fetched again, and a peer refuses it; the rest stays readable.
    if (!internal::decodeStoredBodyInto(value.body, update.body).ok()) {
      update.body.assign(value.body.bytes.begin(), value.body.bytes.end());
    }
    bytes += update.header.size() + update.signature.size() + update.body.size();
    if (bytes > max_bytes && !out.empty()) break;
    out.push_back(std::move(update));
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());
  }
  return out;
}

Result<std::map<RecordKey, std::vector<uint64_t>>> CatalogStore::erasableVersions(
    const PublicKey& author, const std::vector<RecordKey>& keys) const {
  std::map<RecordKey, std::vector<uint64_t>> out;
  for (const RecordKey& key : keys) {
    if (key.author == author) out[key];
  }
  if (out.empty()) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(internal::FeedWalker walker, internal::FeedWalker::open(txn));
  EICHUB_ASSIGN_OR_RETURN(bool more, walker.seek(author, 1));
  RecordKey probe{catalog::Kind::SKILL, author, ""};
  while (more && std::equal(author.begin(), author.end(), walker.author().begin())) {
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue value,
                            internal::decodeHeaderValue(walker.value()));
    auto fields = feed::decodeHeader(value.header);
    if (!fields.ok()) return Status::Corruption("stored header does not decode");
    probe.kind = catalog::heldKind(*fields);
    probe.id = std::move(fields->id);
    if (auto it = out.find(probe); it != out.end()) {
      std::vector<uint64_t>& seqs = it->second;
      if (fields->op == feed::Op::UPSERT) seqs.push_back(fields->seq);
      if (fields->op == feed::Op::ERASE) {
        // Both lists ascend: keep the seqs this erase does not name.
        std::vector<uint64_t> left;
        std::set_difference(seqs.begin(), seqs.end(), fields->erases.begin(), fields->erases.end(),
                            std::back_inserter(left));
        seqs = std::move(left);
      }
    }
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());
  }
  return out;
}

Result<std::vector<feed::SignedUpdate>> CatalogStore::missingBodies(const HeaderFilter& wanted,
                                                                    const PublicKey& after_author,
                                                                    uint64_t after_seq,
                                                                    size_t max_count) const {
  std::vector<feed::SignedUpdate> out;
  if (max_count == 0) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(internal::FeedWalker walker, internal::FeedWalker::open(txn));
  EICHUB_ASSIGN_OR_RETURN(bool more, walker.seek(after_author, after_seq));
  if (more && walker.seq() == after_seq &&
      std::equal(after_author.begin(), after_author.end(), walker.author().begin())) {
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());  // strictly after the start point
  }
  while (more && out.size() < max_count) {
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue value,
                            internal::decodeHeaderValue(walker.value()));
    if (!value.hasBody()) {
      auto fields = feed::decodeHeader(value.header);
      if (!fields.ok()) return Status::Corruption("stored header does not decode");
      if (fields->op == feed::Op::UPSERT) {
        const Bytes key =
            internal::encodeRecordKey({catalog::heldKind(*fields), fields->author, fields->id});
        auto raw = txn.get(Table::kRecords, key);
        if (!raw.ok()) return Status::Corruption("upsert without a record");
        EICHUB_ASSIGN_OR_RETURN(internal::RecordValue state, internal::decodeRecordValue(*raw));
        // An erased version can be current again after a cut; its body is never fetched.
        EICHUB_ASSIGN_OR_RETURN(bool erased, internal::isErased(txn, fields->author, fields->seq));
        if (state.op == feed::Op::UPSERT && state.seq == fields->seq && !erased &&
            wanted(*fields)) {
          out.push_back({Bytes(value.header.begin(), value.header.end()),
                         Bytes(value.signature.begin(), value.signature.end()),
                         {}});
        }
      }
    }
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());
  }
  return out;
}

Result<RecordState> CatalogStore::record(const RecordKey& key) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  return readState(txn, internal::encodeRecordKey(key));
}

Result<std::vector<RecordState>> CatalogStore::recordsById(const std::string& id) const {
  std::vector<RecordState> out;
  if (id.empty() || id.size() > feed::kMaxIdBytes) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
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

Status CatalogStore::forEachRecord(catalog::Kind kind,
                                   const std::function<void(const RecordState&)>& fn) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
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

Result<std::map<std::string, uint64_t>> CatalogStore::countsByKind() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
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

Result<std::vector<AuthorKindCount>> CatalogStore::countsByAuthor() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
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

Result<std::vector<SearchHit>> CatalogStore::search(const SearchQuery& query) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  return internal::runSearch(txn, query);
}

Result<std::vector<RecordKey>> CatalogStore::recordsBySkill(const std::string& skill_uri) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  return internal::recordsWithSkill(txn, skill_uri);
}

Result<std::vector<FeedInfo>> CatalogStore::scanRecords(const std::vector<catalog::Kind>& kinds,
                                                        const RecordVisitor& visit) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
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
  return feedsIn(txn);
}

Result<Hash32> CatalogStore::digest() const {
  // Only the records table: it is a pure function of the feed prefixes held (the newest
  // update per key), and iterating it in key order is independent of arrival order and of
  // page layout. The rid at the end of each value depends on arrival order and is left out.
  // Each key and state is length-prefixed so that no two states share a stream.
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
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

Result<uint64_t> CatalogStore::erasedBodies() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kMeta));
  const ByteView prefix = asBytes(internal::kErasedPrefix);
  Entry entry;
  uint64_t count = 0;
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, prefix));
  while (more && entry.key.size() > prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), entry.key.begin())) {
    ++count;
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return count;
}

Result<uint64_t> CatalogStore::storeBytes() const { return impl_->env->usedBytes(); }

uint64_t CatalogStore::mapBytes() const { return impl_->env->mapBytes(); }

Result<int> CatalogStore::clearStaleReaders() const { return impl_->env->clearStaleReaders(); }

size_t CatalogStore::readerSlots() const { return impl_->env->readerSlots(); }

Status CatalogStore::copyTo(const std::string& path) const { return impl_->env->copyTo(path); }

Result<std::vector<ChangeEntry>> CatalogStore::changes(uint64_t since, size_t limit) const {
  std::vector<ChangeEntry> out;
  if (limit == 0) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kChanges));
  Entry entry;
  const auto from = internal::changeKey(since + 1);
  EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, from));
  while (more && out.size() < limit) {
    EICHUB_ASSIGN_OR_RETURN(ChangeEntry change, internal::decodeChange(entry.key, entry.value));
    out.push_back(std::move(change));
    EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
  }
  return out;
}

Result<uint64_t> CatalogStore::lastChange() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_->env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kChanges));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found, cursor.get(MDB_LAST, &entry));
  if (!found) return uint64_t{0};
  EICHUB_ASSIGN_OR_RETURN(ChangeEntry last, internal::decodeChange(entry.key, entry.value));
  return last.number;
}

}  // namespace eichub::store
