// PostingBuffer: the batch's postings grouped by key in a PostingTable, then one MDB_MULTIPLE
// put per key in key order, appending where the rids are new.
#include "node/store/internal/posting_buffer.h"

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <vector>

namespace eichub::store::internal {
namespace {

// Sorts values of value_bytes each unless already sorted (the usual case: rids are assigned,
// and their records indexed, in increasing order).
void sortValues(std::span<uint8_t> values, size_t value_bytes) {
  const size_t count = values.size() / value_bytes;
  auto at = [&](size_t i) { return values.data() + i * value_bytes; };
  bool sorted = true;
  for (size_t i = 1; i < count && sorted; ++i) {
    sorted = std::memcmp(at(i - 1), at(i), value_bytes) < 0;
  }
  if (sorted) return;
  std::vector<size_t> order(count);
  for (size_t i = 0; i < count; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return std::memcmp(at(a), at(b), value_bytes) < 0; });
  Bytes out;
  out.reserve(values.size());
  for (size_t i : order) out.insert(out.end(), at(i), at(i) + value_bytes);
  std::memcpy(values.data(), out.data(), out.size());
}

}  // namespace

void PostingBuffer::add(std::string_view key, ByteView value, bool new_rid) {
  postings_.add(key, value, new_rid);
}

void PostingBuffer::drop(std::string_view key, Rid rid) {
  // A rid has at most one value per key.
  (void)postings_.drop(key, ridKey(rid));
}

Status PostingBuffer::flush(WriteTxn& txn) {
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(table_));
  auto write_key = [&](std::string_view key, ByteView held,
                       std::span<uint8_t> appendable) -> Status {
    // Postings of records indexed before this batch may land anywhere among the duplicates.
    for (size_t at = 0; at < held.size(); at += value_bytes_) {
      EICHUB_RETURN_IF_ERROR(txn.put(table_, asBytes(key), held.subspan(at, value_bytes_)));
    }
    if (appendable.empty()) return Status::OK();
    sortValues(appendable, value_bytes_);
    Status put = txn.putMultiple(cursor, asBytes(key), appendable, value_bytes_, /*append=*/true);
    if (put.code() == Status::Code::kAlreadyExists) {
      return Status::Corruption("posting of a new record does not sort last",
                                "table " + std::to_string(static_cast<int>(table_)));
    }
    return put;
  };
  EICHUB_RETURN_IF_ERROR(postings_.forEachKey(write_key));
  postings_.clear();
  return Status::OK();
}

}  // namespace eichub::store::internal
