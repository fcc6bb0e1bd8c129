// Byte layouts of the store's LMDB keys and values. Integers are big-endian so that byte order
// is numeric order; every decoder checks sizes and returns Corruption on a short value.
#pragma once

#include <cstdint>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/store/catalog_store.h"

namespace eichub::store::internal {

// kind(1) || author(32): the fixed prefix of a record key; the id follows.
inline constexpr size_t kRecordKeyPrefixBytes = 1 + kPublicKeyBytes;
// weight(1) || label bytes(2 BE) after the record key in a text posting.
inline constexpr size_t kPostingSuffixBytes = 3;
// LMDB's default key size limit (mdb_env_get_maxkeysize); dupsort values share it.
inline constexpr size_t kMaxLmdbKeyBytes = 511;

Bytes encodeRecordKey(const RecordKey& key);
// Errors: Corruption (short, or a kind this build does not know).
Result<RecordKey> decodeRecordKey(ByteView bytes);

// author(32) || seq(8 BE).
Bytes headerKey(const PublicKey& author, uint64_t seq);

// heads value: seq(8) hash(32) time(8) verified_up_to(8).
struct HeadValue {
  feed::Head head;
  uint64_t verified_up_to = 0;
};
Bytes encodeHead(const HeadValue& value);
Result<HeadValue> decodeHead(ByteView bytes);

// records value: seq(8) op(1) body_hash(32) time(8).
struct RecordValue {
  uint64_t seq = 0;
  feed::Op op = feed::Op::UPSERT;
  Hash32 body_hash{};
  int64_t time_ms = 0;
};
Bytes encodeRecordValue(const RecordValue& value);
Result<RecordValue> decodeRecordValue(ByteView bytes);

// headers value: body_hash(32, zero when there is no body) || header_len(4 BE) || header ||
// signature. The header bytes are the exact signed bytes.
Bytes encodeHeaderValue(const Hash32& body_hash, const feed::SignedUpdate& update);
struct HeaderValue {
  Hash32 body_hash{};
  ByteView header;     // borrowed from the LMDB value
  ByteView signature;  // borrowed from the LMDB value
};
Result<HeaderValue> decodeHeaderValue(ByteView bytes);

// text posting: record key || weight(1) || label_bytes(2 BE).
// TODO(perf): the full record key (~110 bytes with ESCO uris) dominates the store's size; a
// per-record u64 number in postings would shrink the text table several times.
Bytes encodePosting(ByteView record_key, uint8_t weight, uint16_t label_bytes);
struct Posting {
  ByteView record_key;  // borrowed
  uint8_t weight = 0;
  uint16_t label_bytes = 0;
};
Result<Posting> decodePosting(ByteView bytes);

}  // namespace eichub::store::internal
