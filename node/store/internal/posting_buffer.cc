// PostingBuffer: group the batch's postings by key, then one MDB_MULTIPLE put per key in key
// order, appending where the rids are new.
#include "node/store/internal/posting_buffer.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "federation/common/check.h"

namespace eichub::store::internal {
namespace {

// Removes the value of rid (a rid prefix) from values of value_bytes each.
void eraseRid(Bytes& values, size_t value_bytes, const std::array<uint8_t, kRidBytes>& rid) {
  for (size_t at = 0; at < values.size(); at += value_bytes) {
    if (std::memcmp(values.data() + at, rid.data(), kRidBytes) == 0) {
      values.erase(values.begin() + static_cast<ptrdiff_t>(at),
                   values.begin() + static_cast<ptrdiff_t>(at + value_bytes));
      return;  // a rid has one value per key
    }
  }
}

// Sorts values of value_bytes each unless already sorted (the usual case: rids are assigned,
// and their records indexed, in increasing order).
void sortValues(Bytes& values, size_t value_bytes) {
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
  values.swap(out);
}

}  // namespace

void PostingBuffer::add(std::string_view key, ByteView value, bool new_rid) {
  EICHUB_CHECK(value.size() == value_bytes_) << "posting of the wrong size";
  auto it = by_key_.find(key);
  if (it == by_key_.end()) it = by_key_.emplace(std::string(key), Values{}).first;
  Bytes& values = new_rid ? it->second.new_rids : it->second.held_rids;
  values.insert(values.end(), value.begin(), value.end());
}

void PostingBuffer::drop(std::string_view key, Rid rid) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  const auto rid_bytes = ridKey(rid);
  eraseRid(it->second.held_rids, value_bytes_, rid_bytes);
  eraseRid(it->second.new_rids, value_bytes_, rid_bytes);
}

Status PostingBuffer::flush(WriteTxn& txn) {
  std::vector<std::pair<std::string_view, Values*>> keys;
  keys.reserve(by_key_.size());
  for (auto& [key, values] : by_key_) keys.emplace_back(key, &values);
  std::sort(keys.begin(), keys.end());
  EICHUB_ASSIGN_OR_RETURN(Cursor cursor, txn.cursor(table_));
  for (auto& [key, values] : keys) {
    // Postings of records indexed before this batch may land anywhere among the duplicates.
    for (size_t at = 0; at < values->held_rids.size(); at += value_bytes_) {
      ByteView value = ByteView(values->held_rids).subspan(at, value_bytes_);
      EICHUB_RETURN_IF_ERROR(txn.put(table_, asBytes(key), value));
    }
    if (values->new_rids.empty()) continue;
    sortValues(values->new_rids, value_bytes_);
    Status put = txn.putMultiple(cursor, asBytes(key), values->new_rids, value_bytes_,
                                 /*append=*/true);
    if (put.code() == Status::Code::kAlreadyExists) {
      return Status::Corruption("posting of a new record does not sort last",
                                "table " + std::to_string(static_cast<int>(table_)));
    }
    EICHUB_RETURN_IF_ERROR(put);
  }
  by_key_.clear();
  return Status::OK();
}

}  // namespace eichub::store::internal
