// The headers table and its feed index: every signed update the store holds, with its body.
//
// Headers are keyed by their arrival number in this store (1, 2, 3 ...), so that every new one
// goes at the end of the table (MDB_APPEND): LMDB then fills each page before starting the next.
// Keyed by author || seq, as in schema 4 and before, a feed whose key did not sort last was
// inserted into the middle of the tree, and each page split left half pages behind: the normal
// case in a federation, where each node holds many authors' feeds (docs/benchmarks.md "Disk").
// The feed index (author || seq -> arrival, 48 bytes an entry) gives feed order back. Arrival
// numbers are local to a store and never leave it.
#pragma once

#include <cstdint>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "node/store/internal/keys.h"
#include "node/store/lmdb_env.h"

namespace eichub::store::internal {

// author(32) || seq(8 BE): a feed index key.
Bytes feedIndexKey(const PublicKey& author, uint64_t seq);

// The headers value of (author, seq), borrowed from txn until its next write. Errors: NotFound
// when not held, Corruption for a malformed index entry or an index entry without its header,
// lmdbStatus.
Result<ByteView> getHeaderValue(const Txn& txn, const PublicKey& author, uint64_t seq);

// Replaces the headers value of a held (author, seq) (a body attached or dropped). Errors: as
// getHeaderValue, and the put's.
Status replaceHeaderValue(WriteTxn& txn, const PublicKey& author, uint64_t seq, ByteView value);

// Adds new updates within one write txn: each at the next arrival number. Use one per txn.
class HeaderAppender {
 public:
  // Reads the last arrival number held. Errors: Corruption, lmdbStatus.
  static Result<HeaderAppender> start(const WriteTxn& txn);
  // Stores value as (author, seq), which must not be held yet. Errors: Corruption when it is,
  // lmdbStatus.
  Status append(WriteTxn& txn, const PublicKey& author, uint64_t seq, ByteView value);

 private:
  explicit HeaderAppender(uint64_t next) : next_arrival_(next) {}
  uint64_t next_arrival_;
  bool index_appends_ = true;  // until a key does not sort last in the feed index
};

// Fills value.head.bytes when its heads entry was written before byte quotas: the sum of the
// body sizes of author's held headers up to value.head.seq. A read-write open completes every
// such entry once (catalog_store.cc, completeHeads); readers call this for a store only opened
// read-only since. Errors: Corruption (a header that does not decode), FeedWalker's.
Status fillFeedBytes(const Txn& txn, const PublicKey& author, HeadValue& value);

// Walks held updates in feed order (author, then seq) from a start key, across feeds: the
// caller stops where it wants. Borrowed views, valid until the txn's next write or end.
class FeedWalker {
 public:
  // Errors: lmdbStatus.
  static Result<FeedWalker> open(const Txn& txn);
  // Positions at the first held update at or after (author, seq); false when there is none.
  // Errors: Corruption (an index entry without its header), lmdbStatus.
  Result<bool> seek(const PublicKey& author, uint64_t seq);
  // Moves to the next held update in feed order; false past the last.
  Result<bool> next();

  ByteView author() const { return index_key_.first(kPublicKeyBytes); }
  uint64_t seq() const;
  ByteView value() const { return value_; }

 private:
  FeedWalker(Cursor index, Cursor headers)
      : index_(std::move(index)), headers_(std::move(headers)) {}
  // Reads the header that the index entry just read (found, with arrival_bytes) names.
  // Errors: Corruption, lmdbStatus.
  Result<bool> load(bool found, ByteView arrival_bytes);

  Cursor index_;
  Cursor headers_;
  ByteView index_key_;
  ByteView value_;
  uint64_t arrival_ = 0;  // of value_; 0 before the first load
};

}  // namespace eichub::store::internal
