// Byte layouts of the store's LMDB keys and values. Integers are big-endian so that byte order
// is numeric order; every decoder checks sizes and returns Corruption on a short value.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/catalog/kinds.h"
#include "node/store/catalog_store.h"
#include "node/store/internal/body_codec.h"

namespace eichub::store::internal {

// kind(1) || author(32): the fixed prefix of a record key; the id follows.
inline constexpr size_t kRecordKeyPrefixBytes = 1 + kPublicKeyBytes;
// LMDB's default key size limit (mdb_env_get_maxkeysize); dupsort values share it.
inline constexpr size_t kMaxLmdbKeyBytes = 511;

Bytes encodeRecordKey(const RecordKey& key);
// Errors: Corruption (short, or a kind this build does not know).
Result<RecordKey> decodeRecordKey(ByteView bytes);

// by_id key (store schema 7): an id shorter than kByIdKeyBytes is its own key; a longer one is
// keyed by the first kByIdKeyBytes of SHA-256(id). Hashing keeps long keys short and of one size
// (ESCO's URIs are about 70 bytes: the table is about half as large as one keyed by the ids).
// Short ids keep their order, so a feed of numbered ids ("course/1041") appends to the table
// instead of writing into a random page per record: keyed by hash (schema 6), a catch-up of
// 200,000 such records rewrote most of the table at every commit, and the copies left behind as
// free pages made the data file 1.30-1.35 x the feed's bytes (docs/benchmarks.md "Disk"). A
// literal key is shorter than a hashed one, so the two never meet. Its values are kind ||
// author; the id itself is in the record key they lead to, which a lookup reads and checks.
inline constexpr size_t kByIdKeyBytes = 16;
class ByIdKey {
 public:
  explicit ByIdKey(ByteView id);
  ByteView view() const { return ByteView(bytes_.data(), size_); }
  operator ByteView() const { return view(); }  // NOLINT: a key is passed where bytes are

 private:
  std::array<uint8_t, kByIdKeyBytes> bytes_{};
  size_t size_ = 0;
};
inline ByIdKey byIdKey(ByteView id) { return ByIdKey(id); }

// meta key marking an upsert whose body an erase named: kErasedPrefix || author(32) || seq(8 BE)
// -> "". The mark outlives the erase's place in the state (a later cut can refuse the erase and
// bring the version back), so that an erased body is never fetched or stored again.
inline constexpr std::string_view kErasedPrefix = "erased/";
Bytes erasedKey(const PublicKey& author, uint64_t seq);

// heads value: seq(8) hash(32) time(8) verified_up_to(8) bytes(8). Values written before byte
// quotas lack bytes (56 bytes long): they decode with bytes_known false, and the store sums the
// feed's body sizes once (feedBytes) before it uses or rewrites them.
struct HeadValue {
  feed::Head head;
  uint64_t verified_up_to = 0;
  bool bytes_known = true;
};
Bytes encodeHead(const HeadValue& value);
Result<HeadValue> decodeHead(ByteView bytes);

// A store-local number as a key: 8 bytes big-endian, so that key order is number order (rids,
// change numbers, arrival numbers).
using NumberKey = std::array<uint8_t, 8>;
NumberKey numberKey(uint64_t number);
// Errors: Corruption naming what unless bytes is exactly 8 bytes.
Result<uint64_t> decodeNumberKey(ByteView bytes, std::string_view what);

// A record's number in this store (rid): assigned in arrival order when a record key is first
// seen, so it differs between nodes. It keys rid_keys and fills postings, and must never reach
// anything compared across nodes (the digest, search order).
using Rid = uint64_t;
inline constexpr size_t kRidBytes = 8;
std::array<uint8_t, kRidBytes> ridKey(Rid rid);
// Errors: Corruption unless bytes is exactly kRidBytes.
Result<Rid> decodeRid(ByteView bytes);

// records value: seq(8) op(1) body_hash(32) time(8) || rid(8) [|| applied_ms(8) ||
// last_upsert_seq(8)]. The first kRecordStateBytes are the record's state, a pure function of
// the feed prefixes held: the digest hashes only them. The bracketed part is node-local and was
// added within schema version 5: values written before it lack it and read as 0.
inline constexpr size_t kRecordStateBytes = 8 + 1 + kHashBytes + 8;
struct RecordValue {
  uint64_t seq = 0;
  feed::Op op = feed::Op::UPSERT;
  Hash32 body_hash{};
  int64_t time_ms = 0;
  Rid rid = 0;
  int64_t applied_ms = 0;        // this node's clock when the state was stored; 0 = unknown
  uint64_t last_upsert_seq = 0;  // the newest upsert of the record up to seq; 0 = unknown
};
Bytes encodeRecordValue(const RecordValue& value);
Result<RecordValue> decodeRecordValue(ByteView bytes);

// headers value: header_len(4 BE) || signature_len(2 BE) || body codec(1) || header ||
// signature || stored body. The header bytes are the exact signed bytes; the body is stored as
// body_codec.h says (compressed when that makes it smaller) and is empty when not held (a
// delete, or an upsert received without its body). Bodies live here, beside their header, rather
// than under their hash: feed order is key order, so the table only grows at its end.
// Writes into out (cleared first), so that a caller can reuse one buffer.
// header and signature may be views of the LMDB value being replaced: they are copied into out.
void encodeHeaderValue(ByteView header, ByteView signature, const StoredBody& body, Bytes& out);
struct HeaderValue {
  ByteView header;     // borrowed from the LMDB value
  ByteView signature;  // borrowed from the LMDB value
  StoredBody body;     // borrowed from the LMDB value

  bool hasBody() const { return !body.bytes.empty(); }
  // The body's signed bytes (decodeStoredBody): borrowed from the value when stored raw, else
  // decompressed into scratch. Empty when not held.
  Result<ByteView> plainBody(Bytes& scratch) const { return decodeStoredBody(body, scratch); }
};
Result<HeaderValue> decodeHeaderValue(ByteView bytes);
// The headers value of store schemas 2 to 4, which had no codec byte and kept every body raw:
// read only by `eichub migrate`.
Result<HeaderValue> decodeUncompressedHeaderValue(ByteView bytes);

// text posting (dupfixed): rid(8 BE) || kind(high 4 bits) weight(low 4 bits) || label_bytes
// (2 BE). Sorted by rid, so a record's posting under a token is found by its rid prefix; the
// kind lets search filter without resolving the record.
inline constexpr size_t kTextPostingBytes = kRidBytes + 3;
using TextPostingBytes = std::array<uint8_t, kTextPostingBytes>;
struct TextPosting {
  Rid rid = 0;
  catalog::Kind kind = catalog::Kind::SKILL;
  uint8_t weight = 0;  // 0..15
  uint16_t label_bytes = 0;
};
TextPostingBytes encodeTextPosting(const TextPosting& posting);
// Errors: Corruption for a wrong size or an unknown kind.
Result<TextPosting> decodeTextPosting(ByteView bytes);

// skill_index value (dupfixed): rid(8 BE).

// changes: change number(8 BE) -> author(32) || seq(8 BE) || kind(1) || op(1) ||
// [applied_ms(8 BE) ||] id. The number is node-local (assigned at apply time, in apply order,
// from 1) and, like rids and applied_ms, never reaches the digest. applied_ms is present when
// the op byte has kChangeAppliedFlag set (entries written since; older ones read as 0).
inline constexpr uint8_t kChangeAppliedFlag = 0x80;
std::array<uint8_t, 8> changeKey(uint64_t number);
Bytes encodeChange(const PublicKey& author, uint64_t seq, catalog::Kind kind, feed::Op op,
                   int64_t applied_ms, std::string_view id);
// Errors: Corruption for a short key or value, or an unknown kind or op.
Result<ChangeEntry> decodeChange(ByteView key, ByteView value);

}  // namespace eichub::store::internal
