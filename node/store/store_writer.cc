// StoreWriter: the write path. applyBatch stores each update of a batch (header and body at
// the headers table's end, record state, index changes, change entry, by_id and rid_keys rows
// for a new record), checks duplicates and forks against what is held, drops the bodies erases
// name, and updates the heads; apply() runs it in one write transaction.
#include "node/store/store_writer.h"

#include <algorithm>
#include <map>
#include <optional>

#include "federation/feed/body_frame.h"
#include "federation/feed/verify.h"
#include "node/store/apply_session.h"
#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/record_body.h"
#include "node/store/internal/store_impl.h"
#include "node/store/internal/text_index.h"

namespace eichub::store {
namespace {

std::string where(const feed::HeaderFields& f) {
  return "author=" + toHex(ByteView(f.author).first(8)) + " seq=" + std::to_string(f.seq);
}

struct FeedState {
  internal::HeadValue value;
  bool dirty = false;
};

// What one write attempt of a batch carries from update to update.
struct BatchState {
  BatchState(internal::IndexWriter& writer, internal::BodyCompressor& body_compressor,
             internal::HeaderAppender appender)
      : index(writer), compressor(body_compressor), headers(appender) {}

  internal::IndexWriter& index;  // emptied at the start of the attempt
  internal::BodyCompressor& compressor;
  internal::HeaderAppender headers;
  internal::Rid first_new_rid = 0;  // rids from here on were assigned in this batch
  internal::Rid next_rid = 0;
  uint64_t next_change = 0;  // the change number of the next update stored
  int64_t applied_ms = 0;    // the local clock at the start of the batch
  Bytes key;                 // the current update's record key, reused
  Bytes header_value;        // the current update's headers value, reused
  Bytes old_body;            // a replaced version's decompressed body, reused
  Bytes frame_check;         // a frame that came with a body, decompressed to compare, reused
};

// The first change number not used: one past the changes table's last key.
Result<uint64_t> nextChange(const WriteTxn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kChanges));
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found, cursor.get(MDB_LAST, &entry));
  if (!found) return uint64_t{1};
  EICHUB_ASSIGN_OR_RETURN(ChangeEntry last, internal::decodeChange(entry.key, entry.value));
  return last.number + 1;
}

// How body is stored: as prepared; as the frame the update came with (a peer sent it, or a
// store read it: SignedUpdate::body_zstd) when it decompresses to body, which costs a fraction of
// compressing it again (docs/benchmarks.md "Bodies as frames"); else compressed here when that
// makes it smaller. The frame is checked, not trusted: a frame left beside a changed body would
// otherwise store another body under this one's hash.
internal::StoredBody storedForm(const feed::VerifiedUpdate& update, ByteView body,
                                const PreparedBody* prepared, BatchState& batch) {
  if (prepared) {
    return prepared->compressed()
               ? internal::StoredBody{internal::BodyCodec::kZstd, prepared->stored}
               : internal::StoredBody{internal::BodyCodec::kRaw, body};
  }
  const Bytes& frame = update.signed_update.body_zstd;
  if (!frame.empty() && frame.size() < body.size() &&
      feed::decompressFrame(frame, body.size(), batch.frame_check).ok() &&
      std::equal(body.begin(), body.end(), batch.frame_check.begin(), batch.frame_check.end())) {
    return internal::StoredBody{internal::BodyCodec::kZstd, frame};
  }
  return batch.compressor.compress(body);
}

// Stores the signed update and its body (storedForm) at the headers table's end.
Status putHeader(WriteTxn& txn, const feed::VerifiedUpdate& update, ByteView body,
                 const PreparedBody* prepared, BatchState& batch) {
  const feed::HeaderFields& f = update.fields;
  Bytes& value = batch.header_value;
  const internal::StoredBody stored = storedForm(update, body, prepared, batch);
  internal::encodeHeaderValue(update.signed_update.header, update.signed_update.signature, stored,
                              value);
  return batch.headers.append(txn, f.author, f.seq, value);
}

// The held header value at (author, seq). Errors: Corruption when there is none (seq is at or
// below the head), lmdbStatus.
Result<internal::HeaderValue> heldHeader(const Txn& txn, const PublicKey& author, uint64_t seq,
                                         const std::string& where) {
  auto raw = internal::getHeaderValue(txn, author, seq);
  if (!raw.ok()) {
    if (raw.status().isNotFound())
      return Status::Corruption("header missing below the head", where);
    return raw.status();
  }
  return internal::decodeHeaderValue(*raw);
}

// Drops the bodies of the upserts erase names, each checked to be an upsert of the erased
// record (the header is signed, but its author may still name nonsense), and marks each as
// erased (internal::erasedKey). Errors:
// InvalidArgument for such a target, Corruption, lmdbStatus.
Status dropErasedBodies(WriteTxn& txn, const feed::HeaderFields& erase, Bytes& value,
                        ApplyStats& stats) {
  for (uint64_t target : erase.erases) {
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue held,
                            heldHeader(txn, erase.author, target, where(erase)));
    auto fields = feed::decodeHeader(held.header);
    if (!fields.ok()) return Status::Corruption("stored header does not decode", where(erase));
    if (fields->op != feed::Op::UPSERT || fields->kind != erase.kind || fields->id != erase.id) {
      return Status::InvalidArgument(
          "erase target seq " + std::to_string(target) + " is not an upsert of the record",
          where(erase));
    }
    if (held.hasBody()) {
      internal::encodeHeaderValue(held.header, held.signature, internal::StoredBody{}, value);
      EICHUB_RETURN_IF_ERROR(internal::replaceHeaderValue(txn, erase.author, target, value));
      ++stats.erased_bodies;
    }
    // Marked even when the body is not held (selective sync): it must never be fetched later.
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kMeta, internal::erasedKey(erase.author, target), {}));
  }
  return Status::OK();
}

// The record key of an update's header: kind || author || id, into key (reused).
void recordKeyOf(const feed::HeaderFields& f, Bytes& key) {
  key.clear();
  key.push_back(static_cast<uint8_t>(catalog::heldKind(f)));
  key.insert(key.end(), f.author.begin(), f.author.end());
  key.insert(key.end(), f.id.begin(), f.id.end());
}

// A held upsert whose body was not held gets the body update carries (matched to the same
// header bytes by the caller), if it is its record's current version.
Status attachBody(WriteTxn& txn, const feed::VerifiedUpdate& update, internal::HeaderValue held,
                  BatchState& batch, ApplyStats& stats) {
  const feed::HeaderFields& f = update.fields;
  recordKeyOf(f, batch.key);
  auto raw = txn.get(Table::kRecords, batch.key);
  if (!raw.ok()) {
    if (raw.status().isNotFound()) return Status::Corruption("upsert without a record", where(f));
    return raw.status();
  }
  EICHUB_ASSIGN_OR_RETURN(internal::RecordValue state, internal::decodeRecordValue(*raw));
  if (state.op != feed::Op::UPSERT || state.seq != f.seq) {
    ++stats.stale_bodies;
    return Status::OK();
  }
  // The current version may still be an erased one: a cut that refuses the erase brings it back.
  EICHUB_ASSIGN_OR_RETURN(bool erased, internal::isErased(txn, f.author, f.seq));
  if (erased) {
    ++stats.stale_bodies;
    return Status::OK();
  }
  const ByteView body = update.signed_update.body;
  // held's views stay valid: nothing was written since the caller read them. The body is stored
  // as the frame it was fetched as when that frame checks out.
  internal::encodeHeaderValue(held.header, held.signature, storedForm(update, body, nullptr, batch),
                              batch.header_value);
  EICHUB_RETURN_IF_ERROR(internal::replaceHeaderValue(txn, f.author, f.seq, batch.header_value));
  if (auto texts = internal::bodyTexts(body); texts.ok()) {
    batch.index.add(state.rid, catalog::heldKind(f), texts->texts,
                    state.rid >= batch.first_new_rid);
  } else {
    ++stats.unindexed;
  }
  ++stats.bodies_attached;
  return Status::OK();
}

// The record state, its index entries, header and body for one new update. prepared: its body's
// compression and terms when computed beforehand, else null.
Status storeUpdate(WriteTxn& txn, const feed::VerifiedUpdate& update, const PreparedBody* prepared,
                   BatchState& batch, ApplyStats& stats) {
  const feed::HeaderFields& f = update.fields;
  if (f.id.empty() || f.id.size() > feed::kMaxIdBytes) {
    return Status::InvalidArgument("record id size out of range", where(f));
  }
  const bool upsert = f.op == feed::Op::UPSERT;
  const Hash32 body_hash = upsert ? f.body_hash : Hash32{};
  // An upsert's body may be absent (selective sync): then the record has state but no terms.
  const ByteView body = upsert ? ByteView(update.signed_update.body) : ByteView();
  // Prepared from another body (a caller's mistake) or for an update with none: not used.
  if (prepared && (body.empty() || prepared->body_hash != body_hash)) prepared = nullptr;
  Bytes& key = batch.key;
  recordKeyOf(f, key);

  // The previous state and, when its terms must go, its index texts, read before this update
  // writes anything (borrowed LMDB views die at the next write).
  std::optional<internal::RecordValue> old;
  if (auto raw = txn.get(Table::kRecords, key); raw.ok()) {
    EICHUB_ASSIGN_OR_RETURN(old, internal::decodeRecordValue(*raw));
  } else if (!raw.status().isNotFound()) {
    return raw.status();
  }
  std::optional<internal::BodyTexts> old_texts;
  if (old && old->op == feed::Op::UPSERT) {
    EICHUB_ASSIGN_OR_RETURN(ByteView old_body, internal::heldBody(txn, key, *old, batch.old_body));
    // A body that is absent or does not parse was never indexed: nothing to remove.
    if (!old_body.empty()) {
      if (auto texts = internal::bodyTexts(old_body); texts.ok()) old_texts = std::move(*texts);
    }
  }
  const internal::Rid rid = old ? old->rid : batch.next_rid++;
  const bool new_rid = rid >= batch.first_new_rid;

  if (f.op == feed::Op::ERASE) {
    EICHUB_RETURN_IF_ERROR(dropErasedBodies(txn, f, batch.header_value, stats));
  }
  EICHUB_RETURN_IF_ERROR(putHeader(txn, update, body, prepared, batch));
  const bool same_terms = old_texts && upsert && old->body_hash == body_hash;
  if (!same_terms) {
    if (old_texts) {
      EICHUB_RETURN_IF_ERROR(batch.index.remove(txn, rid, catalog::heldKind(f), old_texts->texts));
    }
    if (prepared) {
      if (prepared->indexed) {
        batch.index.add(rid, catalog::heldKind(f), prepared->terms, prepared->skills, new_rid);
      } else {
        ++stats.unindexed;
      }
    } else if (upsert) {
      auto texts = body.empty() ? Result<internal::BodyTexts>(Status::NotFound("no body"))
                                : internal::bodyTexts(body);
      if (texts.ok()) {
        batch.index.add(rid, catalog::heldKind(f), texts->texts, new_rid);
      } else {
        ++stats.unindexed;
      }
    }
  }

  internal::RecordValue state{f.seq, f.op, body_hash, f.time_ms, rid};
  state.applied_ms = batch.applied_ms;
  state.last_upsert_seq = upsert                               ? f.seq
                          : old && old->op == feed::Op::UPSERT ? old->seq
                          : old                                ? old->last_upsert_seq
                                                               : 0;
  EICHUB_RETURN_IF_ERROR(txn.put(Table::kRecords, key, internal::encodeRecordValue(state)));
  EICHUB_RETURN_IF_ERROR(txn.put(
      Table::kChanges, internal::changeKey(batch.next_change++),
      internal::encodeChange(f.author, f.seq, catalog::heldKind(f), f.op, batch.applied_ms, f.id),
      MDB_APPEND));
  if (!old) {
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kById, internal::byIdKey(asBytes(f.id)),
                                   ByteView(key).first(internal::kRecordKeyPrefixBytes)));
    Status put = txn.put(Table::kRidKeys, internal::ridKey(rid), key, MDB_APPEND);
    if (put.code() == Status::Code::kAlreadyExists) {
      return Status::Corruption("rid not past the last one held", std::to_string(rid));
    }
    EICHUB_RETURN_IF_ERROR(put);
  }
  return Status::OK();
}

}  // namespace

namespace internal {

Status applyBatch(WriteTxn& txn, const std::vector<feed::VerifiedUpdate>& batch,
                  const std::vector<PreparedBody>* prepared, StoreImpl& impl, ApplyStats& stats) {
  if (prepared && prepared->size() != batch.size()) {
    return Status::InvalidArgument("apply", "prepared bodies do not match the batch");
  }
  std::map<PublicKey, FeedState> feeds;
  // Made inside the write txn, which LMDB serialises across threads and processes, so two
  // threads applying never race to create them.
  if (!impl.index) impl.index = std::make_unique<internal::IndexWriter>();
  if (!impl.compressor) impl.compressor = std::make_unique<internal::BodyCompressor>();
  impl.index->clear();  // an attempt that failed may have left postings
  EICHUB_ASSIGN_OR_RETURN(internal::HeaderAppender appender, internal::HeaderAppender::start(txn));
  BatchState batch_state(*impl.index, *impl.compressor, appender);
  EICHUB_ASSIGN_OR_RETURN(batch_state.next_rid, internal::nextRid(txn));
  batch_state.first_new_rid = batch_state.next_rid;
  EICHUB_ASSIGN_OR_RETURN(batch_state.next_change, nextChange(txn));
  batch_state.applied_ms = impl.nowMs();
  for (size_t i = 0; i < batch.size(); ++i) {
    const feed::VerifiedUpdate& update = batch[i];
    const feed::HeaderFields& f = update.fields;
    auto it = feeds.find(f.author);
    if (it == feeds.end()) {
      FeedState state;
      if (auto raw = txn.get(Table::kHeads, f.author); raw.ok()) {
        EICHUB_ASSIGN_OR_RETURN(state.value, internal::decodeHead(*raw));
        EICHUB_RETURN_IF_ERROR(internal::fillFeedBytes(txn, f.author, state.value));
      } else if (!raw.status().isNotFound()) {
        return raw.status();
      }
      it = feeds.emplace(f.author, state).first;
    }
    FeedState& feed_state = it->second;
    if (f.seq >= 1 && f.seq <= feed_state.value.head.seq) {
      EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue value,
                              heldHeader(txn, f.author, f.seq, where(f)));
      const Bytes& header = update.signed_update.header;
      if (!std::equal(value.header.begin(), value.header.end(), header.begin(), header.end())) {
        return Status::Corruption("fork", where(f) + ": a different header is held at this seq");
      }
      ++stats.duplicates;
      if (f.op == feed::Op::UPSERT && !value.hasBody() && !update.signed_update.body.empty()) {
        EICHUB_RETURN_IF_ERROR(attachBody(txn, update, value, batch_state, stats));
      }
      continue;
    }
    if (Status link = feed::checkLink(feed_state.value.head, f); !link.ok()) {
      return Status::InvalidArgument(link.message(), where(f));
    }
    EICHUB_RETURN_IF_ERROR(
        storeUpdate(txn, update, prepared ? &(*prepared)[i] : nullptr, batch_state, stats));
    // verified_up_to: every signature up to here has been checked.
    if (update.signature_checked && feed_state.value.verified_up_to == feed_state.value.head.seq) {
      feed_state.value.verified_up_to = f.seq;
    }
    feed_state.value.head = feed::headAfter(feed_state.value.head, update);
    feed_state.dirty = true;
    ++stats.applied;
  }
  EICHUB_RETURN_IF_ERROR(batch_state.index.flush(txn));
  for (const auto& [author, state] : feeds) {
    if (!state.dirty) continue;
    EICHUB_RETURN_IF_ERROR(txn.put(Table::kHeads, author, internal::encodeHead(state.value)));
  }
  return Status::OK();
}

}  // namespace internal

Result<ApplyStats> StoreWriter::apply(const std::vector<feed::VerifiedUpdate>& batch) {
  ApplyStats stats;
  if (batch.empty()) return stats;
  EICHUB_RETURN_IF_ERROR(impl_.write([&](WriteTxn& txn) {
    stats = ApplyStats{};  // a retry after map growth starts over
    return internal::applyBatch(txn, batch, nullptr, impl_, stats);
  }));
  return stats;
}

Result<std::unique_ptr<ApplySession>> StoreWriter::beginApplySession() {
  std::unique_ptr<ApplySession> session(new ApplySession(impl_));
  EICHUB_RETURN_IF_ERROR(session->beginAndReplay());
  return session;
}

}  // namespace eichub::store
