// PostingTable: linear probing with hash tags over keys_ indexes, postings appended in arrival
// order, and a counting sort by key (keys sorted only when walked) to group them for the walk.
#include "node/store/internal/posting_table.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "federation/common/check.h"

namespace eichub::store::internal {

uint64_t PostingTable::defaultHash(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

PostingTable::PostingTable(size_t value_bytes, size_t expected_keys, HashFn hash)
    : value_bytes_(value_bytes), expected_keys_(expected_keys), hash_(hash) {
  EICHUB_CHECK(value_bytes > 0) << "postings of no bytes";
  slots_.resize(std::bit_ceil(std::max<size_t>(2 * expected_keys, 16)));
  keys_.reserve(expected_keys);
}

std::string_view PostingTable::keyOf(const Key& key) const {
  return asChars(ByteView(key_bytes_).subspan(key.offset, key.size));
}

size_t PostingTable::findSlot(std::string_view key, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
    const Slot& at = slots_[slot];
    if (at.key == 0) return slot;
    if (at.tag == tag && keyOf(keys_[at.key - 1]) == key) return slot;
  }
}

void PostingTable::grow() {
  std::vector<Slot> slots(slots_.size() * 2);
  const size_t mask = slots.size() - 1;
  for (size_t i = 0; i < keys_.size(); ++i) {
    const uint64_t hash = keys_[i].hash;
    size_t slot = hash & mask;
    while (slots[slot].key != 0) slot = (slot + 1) & mask;
    slots[slot] = Slot{static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(i + 1)};
  }
  slots_.swap(slots);
}

void PostingTable::add(std::string_view key, ByteView value, bool appendable) {
  EICHUB_CHECK(value.size() == value_bytes_) << "posting of the wrong size";
  EICHUB_CHECK(postings_.size() < kNone && keys_.size() < kNone - 1) << "posting table full";
  const uint64_t hash = hash_(key);
  size_t slot = findSlot(key, hash);
  if (slots_[slot].key == 0) {
    if (2 * (keys_.size() + 1) > slots_.size()) {
      grow();
      slot = findSlot(key, hash);
    }
    keys_.push_back(Key{hash, key_bytes_.size(), static_cast<uint32_t>(key.size())});
    const ByteView bytes = asBytes(key);
    key_bytes_.insert(key_bytes_.end(), bytes.begin(), bytes.end());
    slots_[slot] = Slot{static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(keys_.size())};
  }
  const uint32_t key_index = slots_[slot].key - 1;
  Key& entry = keys_[key_index];
  const auto index = static_cast<uint32_t>(postings_.size());
  postings_.push_back(
      Posting{key_index, entry.newest, appendable ? Kind::kAppendable : Kind::kHeld});
  entry.newest = index;
  ++(appendable ? entry.appendable : entry.held);
  const size_t at = values_.size();
  values_.resize(at + value_bytes_);
  std::memcpy(values_.data() + at, value.data(), value_bytes_);
}

bool PostingTable::drop(std::string_view key, ByteView prefix) {
  EICHUB_CHECK(prefix.size() <= value_bytes_) << "prefix longer than a posting";
  const size_t slot = findSlot(key, hash_(key));
  if (slots_[slot].key == 0) return false;
  Key& entry = keys_[slots_[slot].key - 1];
  for (uint32_t i = entry.newest; i != kNone; i = postings_[i].older) {
    Posting& posting = postings_[i];
    if (posting.kind == Kind::kDropped) continue;
    if (std::memcmp(values_.data() + i * value_bytes_, prefix.data(), prefix.size()) == 0) {
      --(posting.kind == Kind::kAppendable ? entry.appendable : entry.held);
      posting.kind = Kind::kDropped;
      return true;
    }
  }
  return false;
}

void PostingTable::groupValues(const std::vector<uint32_t>& order) {
  held_start_.resize(keys_.size());
  appendable_start_.resize(keys_.size());
  size_t held = 0;
  size_t appendable = 0;
  for (uint32_t k : order) {
    held_start_[k] = held;
    appendable_start_[k] = appendable;
    held += keys_[k].held * value_bytes_;
    appendable += keys_[k].appendable * value_bytes_;
  }
  held_.resize(held);
  appendable_.resize(appendable);
  // One pass in arrival order keeps each key's values in the order added.
  for (size_t i = 0; i < postings_.size(); ++i) {
    const Posting& posting = postings_[i];
    if (posting.kind == Kind::kDropped) continue;
    const bool is_appendable = posting.kind == Kind::kAppendable;
    size_t& at = (is_appendable ? appendable_start_ : held_start_)[posting.key];
    std::memcpy((is_appendable ? appendable_ : held_).data() + at,
                values_.data() + i * value_bytes_, value_bytes_);
    at += value_bytes_;
  }
  // Each start advanced past its key's group: move it back.
  for (size_t k = 0; k < keys_.size(); ++k) {
    held_start_[k] -= keys_[k].held * value_bytes_;
    appendable_start_[k] -= keys_[k].appendable * value_bytes_;
  }
}

Status PostingTable::forEachKey(const KeyFn& fn) {
  std::vector<uint32_t> order(keys_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::sort(order.begin(), order.end(),
            [this](uint32_t a, uint32_t b) { return keyOf(keys_[a]) < keyOf(keys_[b]); });
  groupValues(order);
  for (uint32_t k : order) {
    const Key& key = keys_[k];
    const ByteView held = ByteView(held_).subspan(held_start_[k], key.held * value_bytes_);
    const std::span<uint8_t> appendable =
        std::span<uint8_t>(appendable_)
            .subspan(appendable_start_[k], key.appendable * value_bytes_);
    EICHUB_RETURN_IF_ERROR(fn(keyOf(key), held, appendable));
  }
  return Status::OK();
}

size_t PostingTable::slotsInUse() const {
  return static_cast<size_t>(
      std::count_if(slots_.begin(), slots_.end(), [](const Slot& slot) { return slot.key != 0; }));
}

void PostingTable::clearSlots() {
  // A table keeps the slots a large batch grew it to (an import: 2^17 and more, a megabyte), and
  // a live publish of one record clears it for a few keys: zero only theirs, unless they are
  // many. Each key is found from its home slot by its index, past empty slots zeroed before it.
  if (keys_.size() * kSparseClearRatio >= slots_.size()) {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    return;
  }
  const size_t mask = slots_.size() - 1;
  for (size_t i = 0; i < keys_.size(); ++i) {
    size_t slot = keys_[i].hash & mask;
    while (slots_[slot].key != i + 1) slot = (slot + 1) & mask;
    slots_[slot] = Slot{};
  }
}

void PostingTable::clear() {
  if (postings_.capacity() > kMaxKeptPostings) {
    *this = PostingTable(value_bytes_, expected_keys_, hash_);
    return;
  }
  clearSlots();
  keys_.clear();
  key_bytes_.clear();
  postings_.clear();
  values_.clear();
}

}  // namespace eichub::store::internal
