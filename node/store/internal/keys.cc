// Encoders and decoders for the store's key and value layouts (see keys.h).
// Decoders never trust a value's length: a short value is Corruption, not a crash.
#include "node/store/internal/keys.h"

#include <algorithm>

namespace eichub::store::internal {
namespace {

constexpr size_t kHeadValueBytes = 8 + kHashBytes + 8 + 8;
constexpr size_t kRecordValueBytes = 8 + 1 + kHashBytes + 8;
constexpr auto kMaxKind = static_cast<uint8_t>(feed::Kind::TRUST);
constexpr auto kMaxOp = static_cast<uint8_t>(feed::Op::ERASE);

void appendBytes(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

void appendU32BE(Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

uint32_t readU32BE(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

Hash32 readHash(const uint8_t* p) {
  Hash32 h{};
  std::copy(p, p + kHashBytes, h.begin());
  return h;
}

}  // namespace

Bytes encodeRecordKey(const RecordKey& key) {
  Bytes out;
  out.reserve(kRecordKeyPrefixBytes + key.id.size());
  out.push_back(static_cast<uint8_t>(key.kind));
  appendBytes(out, key.author);
  appendBytes(out, asBytes(key.id));
  return out;
}

Result<RecordKey> decodeRecordKey(ByteView bytes) {
  if (bytes.size() < kRecordKeyPrefixBytes) return Status::Corruption("short record key");
  if (bytes[0] > kMaxKind) return Status::Corruption("unknown kind in record key");
  RecordKey key;
  key.kind = static_cast<feed::Kind>(bytes[0]);
  std::copy(bytes.begin() + 1, bytes.begin() + kRecordKeyPrefixBytes, key.author.begin());
  key.id = std::string(asChars(bytes.subspan(kRecordKeyPrefixBytes)));
  return key;
}

Bytes headerKey(const PublicKey& author, uint64_t seq) {
  Bytes out;
  out.reserve(kPublicKeyBytes + 8);
  appendBytes(out, author);
  appendU64BE(out, seq);
  return out;
}

Bytes encodeHead(const HeadValue& value) {
  Bytes out;
  out.reserve(kHeadValueBytes);
  appendU64BE(out, value.head.seq);
  appendBytes(out, value.head.hash);
  appendU64BE(out, static_cast<uint64_t>(value.head.time_ms));
  appendU64BE(out, value.verified_up_to);
  return out;
}

Result<HeadValue> decodeHead(ByteView bytes) {
  if (bytes.size() != kHeadValueBytes) return Status::Corruption("bad head value size");
  HeadValue value;
  const uint8_t* p = bytes.data();
  value.head.seq = readU64BE(p);
  value.head.hash = readHash(p + 8);
  value.head.time_ms = static_cast<int64_t>(readU64BE(p + 8 + kHashBytes));
  value.verified_up_to = readU64BE(p + 16 + kHashBytes);
  return value;
}

Bytes encodeRecordValue(const RecordValue& value) {
  Bytes out;
  out.reserve(kRecordValueBytes);
  appendU64BE(out, value.seq);
  out.push_back(static_cast<uint8_t>(value.op));
  appendBytes(out, value.body_hash);
  appendU64BE(out, static_cast<uint64_t>(value.time_ms));
  return out;
}

Result<RecordValue> decodeRecordValue(ByteView bytes) {
  if (bytes.size() != kRecordValueBytes) return Status::Corruption("bad record value size");
  if (bytes[8] > kMaxOp) return Status::Corruption("unknown op in record value");
  RecordValue value;
  const uint8_t* p = bytes.data();
  value.seq = readU64BE(p);
  value.op = static_cast<feed::Op>(p[8]);
  value.body_hash = readHash(p + 9);
  value.time_ms = static_cast<int64_t>(readU64BE(p + 9 + kHashBytes));
  return value;
}

Bytes encodeHeaderValue(const Hash32& body_hash, const feed::SignedUpdate& update) {
  Bytes out;
  out.reserve(kHashBytes + 4 + update.header.size() + update.signature.size());
  appendBytes(out, body_hash);
  appendU32BE(out, static_cast<uint32_t>(update.header.size()));
  appendBytes(out, update.header);
  appendBytes(out, update.signature);
  return out;
}

Result<HeaderValue> decodeHeaderValue(ByteView bytes) {
  if (bytes.size() < kHashBytes + 4) return Status::Corruption("short header value");
  HeaderValue value;
  value.body_hash = readHash(bytes.data());
  uint32_t header_len = readU32BE(bytes.data() + kHashBytes);
  ByteView rest = bytes.subspan(kHashBytes + 4);
  if (header_len > rest.size()) return Status::Corruption("header length past value end");
  value.header = rest.first(header_len);
  value.signature = rest.subspan(header_len);
  return value;
}

Bytes encodePosting(ByteView record_key, uint8_t weight, uint16_t label_bytes) {
  Bytes out;
  out.reserve(record_key.size() + kPostingSuffixBytes);
  appendBytes(out, record_key);
  out.push_back(weight);
  out.push_back(static_cast<uint8_t>(label_bytes >> 8));
  out.push_back(static_cast<uint8_t>(label_bytes));
  return out;
}

Result<Posting> decodePosting(ByteView bytes) {
  if (bytes.size() < kRecordKeyPrefixBytes + kPostingSuffixBytes) {
    return Status::Corruption("short text posting");
  }
  Posting posting;
  size_t key_len = bytes.size() - kPostingSuffixBytes;
  posting.record_key = bytes.first(key_len);
  posting.weight = bytes[key_len];
  posting.label_bytes = static_cast<uint16_t>(bytes[key_len + 1] << 8 | bytes[key_len + 2]);
  return posting;
}

}  // namespace eichub::store::internal
