// The headers table keyed by arrival, and the feed index that gives feed order back.
#include "node/store/internal/header_table.h"

#include <algorithm>
#include <array>

#include "node/store/internal/keys.h"

namespace eichub::store::internal {
namespace {

constexpr size_t kFeedIndexKeyBytes = kPublicKeyBytes + 8;

NumberKey arrivalKey(uint64_t arrival) { return numberKey(arrival); }
Result<uint64_t> decodeArrival(ByteView bytes) { return decodeNumberKey(bytes, "arrival number"); }

// The arrival number the index holds for (author, seq). Errors: NotFound, Corruption, lmdbStatus.
Result<uint64_t> arrivalOf(const Txn& txn, const PublicKey& author, uint64_t seq) {
  auto raw = txn.get(Table::kFeedIndex, feedIndexKey(author, seq));
  if (!raw.ok()) return raw.status();
  return decodeArrival(*raw);
}

Status headerMissing(uint64_t arrival) {
  return Status::Corruption("feed index names a header that is not held",
                            "arrival " + std::to_string(arrival));
}

}  // namespace

Bytes feedIndexKey(const PublicKey& author, uint64_t seq) {
  Bytes out;
  out.reserve(kFeedIndexKeyBytes);
  out.insert(out.end(), author.begin(), author.end());
  appendU64BE(out, seq);
  return out;
}

Result<ByteView> getHeaderValue(const Txn& txn, const PublicKey& author, uint64_t seq) {
  EICHUB_ASSIGN_OR_RETURN(uint64_t arrival, arrivalOf(txn, author, seq));
  auto value = txn.get(Table::kHeaders, arrivalKey(arrival));
  if (!value.ok() && value.status().isNotFound()) return headerMissing(arrival);
  return value;
}

Status replaceHeaderValue(WriteTxn& txn, const PublicKey& author, uint64_t seq, ByteView value) {
  EICHUB_ASSIGN_OR_RETURN(uint64_t arrival, arrivalOf(txn, author, seq));
  return txn.put(Table::kHeaders, arrivalKey(arrival), value);
}

Result<HeaderAppender> HeaderAppender::start(const WriteTxn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(Table::kHeaders));
  Entry last;
  EICHUB_ASSIGN_OR_RETURN(bool found, cursor.get(MDB_LAST, &last));
  if (!found) return HeaderAppender(1);
  EICHUB_ASSIGN_OR_RETURN(uint64_t arrival, decodeArrival(last.key));
  return HeaderAppender(arrival + 1);
}

Status HeaderAppender::append(WriteTxn& txn, const PublicKey& author, uint64_t seq,
                              ByteView value) {
  const Bytes index_key = feedIndexKey(author, seq);
  const auto arrival = arrivalKey(next_arrival_);
  // The index's keys go at its end while they sort last (one feed growing alone); after the
  // first that does not, ordinary puts (its entries are small, so half-filled pages cost little).
  Status indexed = Status::AlreadyExists("not appended");
  if (index_appends_) {
    indexed = txn.put(Table::kFeedIndex, index_key, arrival, MDB_APPEND);
    index_appends_ = indexed.code() != Status::Code::kAlreadyExists;
  }
  if (indexed.code() == Status::Code::kAlreadyExists) {
    indexed = txn.put(Table::kFeedIndex, index_key, arrival, MDB_NOOVERWRITE);
  }
  if (indexed.code() == Status::Code::kAlreadyExists) {
    return Status::Corruption("header stored past the feed head",
                              toHex(author).substr(0, 16) + " seq " + std::to_string(seq));
  }
  EICHUB_RETURN_IF_ERROR(indexed);
  Status put = txn.put(Table::kHeaders, arrival, value, MDB_APPEND);
  if (put.code() == Status::Code::kAlreadyExists) {
    return Status::Corruption("arrival number not past the last one held",
                              std::to_string(next_arrival_));
  }
  EICHUB_RETURN_IF_ERROR(put);
  ++next_arrival_;
  return Status::OK();
}

Result<FeedWalker> FeedWalker::open(const Txn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor index, txn.cursor(Table::kFeedIndex));
  EICHUB_ASSIGN_OR_RETURN(Cursor headers, txn.cursor(Table::kHeaders));
  return FeedWalker(std::move(index), std::move(headers));
}

uint64_t FeedWalker::seq() const { return readU64BE(index_key_.data() + kPublicKeyBytes); }

Result<bool> FeedWalker::seek(const PublicKey& author, uint64_t seq) {
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found, index_.get(MDB_SET_RANGE, &entry, feedIndexKey(author, seq)));
  index_key_ = entry.key;
  return load(found, entry.value);
}

Result<bool> FeedWalker::next() {
  Entry entry;
  EICHUB_ASSIGN_OR_RETURN(bool found, index_.get(MDB_NEXT, &entry));
  index_key_ = entry.key;
  return load(found, entry.value);
}

Result<bool> FeedWalker::load(bool found, ByteView arrival_bytes) {
  if (!found) return false;
  if (index_key_.size() != kFeedIndexKeyBytes) return Status::Corruption("bad feed index key");
  EICHUB_ASSIGN_OR_RETURN(uint64_t arrival, decodeArrival(arrival_bytes));
  // A feed's updates mostly arrived one after the other: step the headers cursor on then, and
  // search the tree only when the feed's arrivals jump.
  Entry header;
  bool at = false;
  if (arrival_ != 0 && arrival == arrival_ + 1) {
    EICHUB_ASSIGN_OR_RETURN(at, headers_.get(MDB_NEXT, &header));
    at = at && header.key.size() == sizeof(NumberKey) && readU64BE(header.key.data()) == arrival;
  }
  if (!at) {
    EICHUB_ASSIGN_OR_RETURN(at, headers_.get(MDB_SET_KEY, &header, arrivalKey(arrival)));
    if (!at) return headerMissing(arrival);
  }
  arrival_ = arrival;
  value_ = header.value;
  return true;
}

Status fillFeedBytes(const Txn& txn, const PublicKey& author, HeadValue& value) {
  if (value.bytes_known) return Status::OK();
  EICHUB_ASSIGN_OR_RETURN(FeedWalker walker, FeedWalker::open(txn));
  EICHUB_ASSIGN_OR_RETURN(bool more, walker.seek(author, 1));
  uint64_t bytes = 0;
  while (more && std::equal(author.begin(), author.end(), walker.author().begin()) &&
         walker.seq() <= value.head.seq) {
    EICHUB_ASSIGN_OR_RETURN(HeaderValue held, decodeHeaderValue(walker.value()));
    auto fields = feed::decodeHeader(held.header);
    if (!fields.ok()) return Status::Corruption("stored header does not decode");
    bytes += fields->body_size;
    EICHUB_ASSIGN_OR_RETURN(more, walker.next());
  }
  value.head.bytes = bytes;
  value.bytes_known = true;
  return Status::OK();
}

}  // namespace eichub::store::internal
