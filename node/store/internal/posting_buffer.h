// PostingBuffer: the postings an apply batch adds to one dupfixed index table, written at the
// end of the batch in key order so that each key costs one tree search.
#pragma once

#include <cstddef>
#include <string_view>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/posting_table.h"
#include "node/store/lmdb_env.h"

namespace eichub::store::internal {

// Collects (key, value) postings of fixed-size values that start with the rid they belong to.
// flush() stores each key's values with one MDB_MULTIPLE put, in key order. Values of rids
// assigned in this batch sort after every value held (rids only grow), so those are appended
// (MDB_APPENDDUP: no search among the duplicates, and full pages). Not thread-safe; one per
// table per write attempt.
class PostingBuffer {
 public:
  // Distinct keys a full batch typically touches (ESCO: ~8k tokens, ~10k skills per 4096
  // updates); making room for them up front saves growing the table.
  static constexpr size_t kExpectedKeys = 8192;

  PostingBuffer(Table table, size_t value_bytes)
      : table_(table), value_bytes_(value_bytes), postings_(value_bytes, kExpectedKeys) {}

  // Queues value (value_bytes long, starting with the rid's 8 bytes) under key. new_rid: the
  // rid was assigned in this batch, so the value may be appended.
  void add(std::string_view key, ByteView value, bool new_rid);
  // Drops the value of rid queued under key, if any (its record changed again in the batch).
  void drop(std::string_view key, Rid rid);
  // Writes everything queued and empties the buffer. Errors: lmdbStatus (ResourceExhausted with
  // txn.mapFull() on MDB_MAP_FULL), Corruption when an appended value does not sort last.
  Status flush(WriteTxn& txn);
  // Drops everything queued, keeping the memory.
  void clear() { postings_.clear(); }

 private:
  Table table_;
  size_t value_bytes_;
  PostingTable postings_;
};

}  // namespace eichub::store::internal
