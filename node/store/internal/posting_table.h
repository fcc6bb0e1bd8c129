// PostingTable: fixed-size values grouped under byte-string keys, in a flat open-addressed hash
// table over arenas of key and value bytes, so that adding a posting allocates nothing per key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub::store::internal {

// The postings of one apply batch: each value is value_bytes long and marked appendable (its
// record's rid is new in the batch) or not. Keys are looked up by linear probing over a
// power-of-two slot array kept at most half full, each slot with a hash tag so that probing
// past other keys reads no key bytes. Postings are appended to flat arrays in arrival order and
// grouped by key only when walked (a counting sort: sequential reads, no pointer chasing); each
// key also threads its postings newest first, for drop(). Memory grows with the postings and
// is kept by clear() up to a limit. Not thread-safe.
class PostingTable {
 public:
  using HashFn = uint64_t (*)(std::string_view key);
  static uint64_t defaultHash(std::string_view key);

  // expected_keys: keys to make room for up front (the table grows past it). hash: the key
  // hash; tests pass a poor one to force collisions.
  PostingTable(size_t value_bytes, size_t expected_keys, HashFn hash = defaultHash);

  // Queues a copy of value (value_bytes long; checked) under a copy of key.
  void add(std::string_view key, ByteView value, bool appendable);
  // Removes the most recently added value under key that starts with prefix (callers key by a
  // rid prefix, and a rid has one value per key). Returns whether one was found.
  bool drop(std::string_view key, ByteView prefix);
  // Distinct keys added since the last clear(), including those whose values were all dropped.
  size_t keyCount() const { return keys_.size(); }
  // Slots that hold a key: keyCount() after each add, 0 after clear(). Counted, for tests.
  size_t slotsInUse() const;

  // Calls fn(key, held, appendable) once per key, in increasing byte order of the keys: held
  // and appendable are the key's values of each kind, concatenated in the order added, dropped
  // ones left out (either may be empty). fn may reorder the values of appendable in place. The
  // spans are valid during the call. Returns the first error fn returns, after which no key
  // follows.
  using KeyFn =
      std::function<Status(std::string_view key, ByteView held, std::span<uint8_t> appendable)>;
  Status forEachKey(const KeyFn& fn);
  // Empties the table, keeping its memory unless it held more than kMaxKeptPostings.
  void clear();

  // Postings whose memory clear() keeps for the next batch (about 9 MB of text postings): more
  // than a 4096-update ESCO batch makes, while a batch of records with thousands of terms each
  // does not leave its memory held by an idle store.
  static constexpr size_t kMaxKeptPostings = size_t{1} << 18;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  struct Slot {
    uint32_t tag = 0;  // the hash's high half
    uint32_t key = 0;  // keys_ index + 1; 0 is empty
  };
  struct Key {
    uint64_t hash = 0;
    size_t offset = 0;  // into key_bytes_
    uint32_t size = 0;
    uint32_t newest = kNone;  // postings_ index of the newest value, then Posting::older
    uint32_t held = 0;        // values of each kind, not dropped
    uint32_t appendable = 0;
  };
  enum class Kind : uint8_t { kHeld, kAppendable, kDropped };
  struct Posting {
    uint32_t key = 0;  // keys_ index
    uint32_t older = kNone;
    Kind kind = Kind::kHeld;
  };

  // clear() zeroes the slots of each key when the keys are fewer than the slots divided by this,
  // and the whole array otherwise (one probe per key against a memset of 8 bytes per slot).
  static constexpr size_t kSparseClearRatio = 16;

  std::string_view keyOf(const Key& key) const;
  // The slot holding key, or the empty slot where it belongs.
  size_t findSlot(std::string_view key, uint64_t hash) const;
  void grow();
  void clearSlots();
  // Copies each live value into held_ or appendable_, grouped by key in the order of order.
  void groupValues(const std::vector<uint32_t>& order);

  size_t value_bytes_;
  size_t expected_keys_;
  HashFn hash_;
  std::vector<Slot> slots_;
  std::vector<Key> keys_;
  Bytes key_bytes_;
  std::vector<Posting> postings_;
  Bytes values_;  // value of posting i at i * value_bytes_
  // Filled by forEachKey: the values grouped by key, and where each key's group starts.
  Bytes held_;
  Bytes appendable_;
  std::vector<size_t> held_start_;        // keys_ index -> offset in held_
  std::vector<size_t> appendable_start_;  // keys_ index -> offset in appendable_
};

}  // namespace eichub::store::internal
