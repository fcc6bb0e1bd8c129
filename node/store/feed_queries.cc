// StoreQueries' feed reads: heads, updates in feed order, bodies selective sync still has to
// fetch, erasures, and the change feed (node-local order of applied updates).
#include <algorithm>
#include <iterator>

#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"
#include "node/store/store_queries.h"

namespace eichub::store {

Result<feed::Head> StoreQueries::head(const PublicKey& author) const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  auto raw = txn.get(Table::kHeads, author);
  if (!raw.ok()) {
    if (raw.status().isNotFound()) return feed::Head{};
    return raw.status();
  }
  EICHUB_ASSIGN_OR_RETURN(internal::HeadValue value, internal::decodeHead(*raw));
  EICHUB_RETURN_IF_ERROR(internal::fillFeedBytes(txn, author, value));
  return value.head;
}

Result<std::vector<FeedInfo>> StoreQueries::feeds() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  return internal::feedsIn(txn);
}

Result<std::vector<feed::SignedUpdate>> StoreQueries::readFeed(const PublicKey& author,
                                                               uint64_t from_seq, uint64_t to_seq,
                                                               size_t max_count,
                                                               size_t max_bytes) const {
  std::vector<feed::SignedUpdate> out;
  size_t bytes = 0;
  if (max_count == 0 || from_seq > to_seq) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
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
    } else if (value.body.codec == internal::BodyCodec::kZstd) {
      update.body_zstd.assign(value.body.bytes.begin(), value.body.bytes.end());
    }
    bytes += feed::signedBytes(update);
    if (bytes > max_bytes && !out.empty()) break;
    out.push_back(std::move(update));
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());
  }
  return out;
}

Result<std::map<RecordKey, std::vector<uint64_t>>> StoreQueries::erasableVersions(
    const PublicKey& author, const std::vector<RecordKey>& keys) const {
  std::map<RecordKey, std::vector<uint64_t>> out;
  for (const RecordKey& key : keys) {
    if (key.author == author) out[key];
  }
  if (out.empty()) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
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

Result<std::vector<feed::SignedUpdate>> StoreQueries::missingBodies(const HeaderFilter& wanted,
                                                                    const PublicKey& after_author,
                                                                    uint64_t after_seq,
                                                                    size_t max_count) const {
  std::vector<feed::SignedUpdate> out;
  if (max_count == 0) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
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
                         {},
                         {}});
        }
      }
    }
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());
  }
  return out;
}

Result<uint64_t> StoreQueries::erasedBodies() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
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

Result<std::vector<ChangeEntry>> StoreQueries::changes(uint64_t since, size_t limit) const {
  std::vector<ChangeEntry> out;
  if (limit == 0) return out;
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
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

Result<uint64_t> StoreQueries::lastChange() const {
  EICHUB_ASSIGN_OR_RETURN(ReadTxn txn, impl_.env->beginRead());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kChanges));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found, cursor.get(MDB_LAST, &entry));
  if (!found) return uint64_t{0};
  EICHUB_ASSIGN_OR_RETURN(ChangeEntry last, internal::decodeChange(entry.key, entry.value));
  return last.number;
}

}  // namespace eichub::store
