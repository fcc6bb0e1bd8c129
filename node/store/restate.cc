// restate: recomputes one author's record state (records, by_id, rid_keys, the indexes) from
// its feed's valid prefix, in one write transaction.
#include "node/store/restate.h"

#include <cstring>
#include <map>
#include <optional>
#include <vector>

#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/record_body.h"
#include "node/store/internal/store_impl.h"
#include "node/store/internal/text_index.h"

namespace eichub::store {
namespace {

// The newest update of the valid prefix touching one record key.
struct PrefixState {
  internal::RecordValue value;  // rid not yet known
};

// Reads author's headers in order while valid() accepts them. Fills latest with the newest
// update per encoded record key and returns P, the last accepted seq. Reads on to the head for
// erases, valid or not, and adds the seqs they name to erased.
Result<uint64_t> validPrefix(const WriteTxn& txn, const PublicKey& author,
                             const std::function<bool(const feed::HeaderFields&)>& valid,
                             std::map<Bytes, PrefixState>& latest, std::vector<uint64_t>& erased) {
  EICHUB_ASSIGN_OR_RETURN(internal::FeedWalker walker, internal::FeedWalker::open(txn));
  EICHUB_ASSIGN_OR_RETURN(bool more, walker.seek(author, 1));
  uint64_t last = 0;
  bool in_prefix = true;
  while (more && std::equal(author.begin(), author.end(), walker.author().begin())) {
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue held,
                            internal::decodeHeaderValue(walker.value()));
    auto fields = feed::decodeHeader(held.header);
    if (!fields.ok()) return Status::Corruption("stored header does not decode");
    // An erase the cut refuses no longer ends its record, but the bodies it dropped stay
    // dropped: marks for them (stores written before marks existed lack some) keep the
    // versions the prefix brings back from being fetched or stored again.
    if (fields->op == feed::Op::ERASE) {
      erased.insert(erased.end(), fields->erases.begin(), fields->erases.end());
    }
    in_prefix = in_prefix && valid(*fields);
    if (!in_prefix) {
      EICHUB_ASSIGN_OR_RETURN(more, walker.next());
      continue;
    }
    Bytes key =
        internal::encodeRecordKey(RecordKey{catalog::heldKind(*fields), author, fields->id});
    const bool upsert = fields->op == feed::Op::UPSERT;
    internal::RecordValue& value = latest[key].value;
    const uint64_t last_upsert = upsert ? fields->seq
                                 : value.seq != 0 && value.op == feed::Op::UPSERT
                                     ? value.seq
                                     : value.last_upsert_seq;
    value = internal::RecordValue{fields->seq, fields->op, upsert ? fields->body_hash : Hash32{},
                                  fields->time_ms, 0};
    value.last_upsert_seq = last_upsert;
    last = fields->seq;
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());
  }
  return last;
}

// The index texts of the body held for key's state value, if it has one that parses.
Result<std::optional<internal::BodyTexts>> textsOf(const WriteTxn& txn, ByteView key,
                                                   const internal::RecordValue& value) {
  Bytes scratch;  // bodyTexts copies what it keeps
  EICHUB_ASSIGN_OR_RETURN(ByteView body, internal::heldBody(txn, key, value, scratch));
  if (body.empty()) return std::optional<internal::BodyTexts>();
  auto texts = internal::bodyTexts(body);
  if (!texts.ok()) return std::optional<internal::BodyTexts>();
  return std::optional<internal::BodyTexts>(std::move(*texts));
}

// Author's record keys held in the state, over every kind.
Result<std::vector<Bytes>> stateKeys(const WriteTxn& txn, const PublicKey& author) {
  std::vector<Bytes> out;
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kRecords));
  for (unsigned kind = 0; kind <= static_cast<unsigned>(catalog::Kind::TRUST); ++kind) {
    Bytes prefix{static_cast<uint8_t>(kind)};
    prefix.insert(prefix.end(), author.begin(), author.end());
    Entry entry;
    EICHUB_ASSIGN_OR_RETURN(bool more, cursor.get(MDB_SET_RANGE, &entry, prefix));
    while (more && entry.key.size() >= prefix.size() &&
           std::memcmp(entry.key.data(), prefix.data(), prefix.size()) == 0) {
      out.emplace_back(entry.key.begin(), entry.key.end());
      EICHUB_ASSIGN_OR_RETURN(more, cursor.get(MDB_NEXT, &entry));
    }
  }
  return out;
}

Status restateIn(WriteTxn& txn, const PublicKey& author,
                 const std::function<bool(const feed::HeaderFields&)>& valid, int64_t applied_ms,
                 uint64_t& prefix) {
  std::map<Bytes, PrefixState> latest;
  std::vector<uint64_t> erased;
  EICHUB_ASSIGN_OR_RETURN(prefix, validPrefix(txn, author, valid, latest, erased));
  // Written after the scan: a put would invalidate the views the cursor returned.
  for (uint64_t seq : erased) {
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kMeta, internal::erasedKey(author, seq), {}));
  }
  internal::IndexWriter index;
  EICHUB_ASSIGN_OR_RETURN(internal::Rid next_rid, internal::nextRid(txn));
  const internal::Rid first_new_rid = next_rid;

  // Records the prefix no longer gives leave the state (and the indexes).
  EICHUB_ASSIGN_OR_RETURN(std::vector<Bytes> held_keys, stateKeys(txn, author));
  for (const Bytes& key : held_keys) {
    if (latest.count(key) != 0) continue;
    EICHUB_ASSIGN_OR_RETURN(ByteView raw, txn.get(Table::kRecords, key));
    EICHUB_ASSIGN_OR_RETURN(internal::RecordValue old, internal::decodeRecordValue(raw));
    EICHUB_ASSIGN_OR_RETURN(auto old_texts, textsOf(txn, key, old));
    if (old_texts)
      EICHUB_RETURN_IF_ERROR(index.remove(txn, old.rid, catalog::Kind(key[0]), old_texts->texts));
    EICHUB_RETURN_IF_ERROR(txn.del(Table::kRecords, key).status());
    const auto id_key = internal::byIdKey(ByteView(key).subspan(internal::kRecordKeyPrefixBytes));
    EICHUB_RETURN_IF_ERROR(
        txn.del(Table::kById, id_key, ByteView(key).first(internal::kRecordKeyPrefixBytes), true)
            .status());
  }

  // Records whose state is not the prefix's newest update take it.
  for (auto& [key, wanted] : latest) {
    std::optional<internal::RecordValue> old;
    if (auto raw = txn.get(Table::kRecords, key); raw.ok()) {
      EICHUB_ASSIGN_OR_RETURN(old, internal::decodeRecordValue(*raw));
    } else if (!raw.status().isNotFound()) {
      return raw.status();
    }
    if (old && old->seq == wanted.value.seq) continue;
    const catalog::Kind kind = catalog::Kind(key[0]);
    if (old) {
      EICHUB_ASSIGN_OR_RETURN(auto old_texts, textsOf(txn, key, *old));
      if (old_texts) EICHUB_RETURN_IF_ERROR(index.remove(txn, old->rid, kind, old_texts->texts));
    }
    internal::RecordValue value = wanted.value;
    value.rid = old ? old->rid : next_rid++;
    value.applied_ms = applied_ms;  // the record's state changed here now
    EICHUB_ASSIGN_OR_RETURN(auto new_texts, textsOf(txn, key, value));
    if (new_texts) index.add(value.rid, kind, new_texts->texts, value.rid >= first_new_rid);
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kRecords, key, internal::encodeRecordValue(value)));
    if (!old) {
      const auto id_key = internal::byIdKey(ByteView(key).subspan(internal::kRecordKeyPrefixBytes));
      EICHUB_RETURN_IF_ERROR(
          txn.put(Table::kById, id_key, ByteView(key).first(internal::kRecordKeyPrefixBytes)));
      EICHUB_RETURN_IF_ERROR(
          txn.put(Table::kRidKeys, internal::ridKey(value.rid), key, MDB_APPEND));
    }
  }
  return index.flush(txn);
}

}  // namespace

Result<uint64_t> restate(CatalogStore& store, const PublicKey& author,
                         const std::function<bool(const feed::HeaderFields&)>& valid) {
  internal::StoreImpl& impl = *store.impl_;
  uint64_t prefix = 0;
  EICHUB_RETURN_IF_ERROR(impl.write(
      [&](WriteTxn& txn) { return restateIn(txn, author, valid, impl.nowMs(), prefix); }));
  return prefix;
}

}  // namespace eichub::store
