// Encoders and decoders for the store's key and value layouts (see keys.h).
// Decoders never trust a value's length: a short value is Corruption, not a crash.
#include "node/store/internal/keys.h"

#include <algorithm>

#include "federation/common/check.h"
#include "federation/crypto/sha256.h"

namespace eichub::store::internal {
namespace {

constexpr size_t kHeadValueBytes = 8 + kHashBytes + 8 + 8 + 8;
constexpr size_t kHeadValueWithoutBytes = kHeadValueBytes - 8;  // written before byte quotas
constexpr size_t kRecordValueBytes = kRecordStateBytes + kRidBytes;
constexpr size_t kRecordValueLocalBytes = kRecordValueBytes + 8 + 8;  // applied, last upsert
// header_len(4) || signature_len(2) in front of a headers value.
constexpr size_t kHeaderLengthsBytes = 4 + 2;
constexpr size_t kHeaderPrefixBytes = kHeaderLengthsBytes + 1;  // and the body codec
// The low four bits of a text posting's kind|weight byte.
constexpr uint8_t kMaxWeight = 0x0f;
constexpr auto kMaxKind = static_cast<uint8_t>(catalog::Kind::TRUST);
constexpr auto kMaxOp = static_cast<uint8_t>(feed::Op::ERASE);
static_assert(kMaxKind < 16, "a text posting keeps the kind in four bits");

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

ByIdKey::ByIdKey(ByteView id) {
  if (id.size() < kByIdKeyBytes) {
    std::copy(id.begin(), id.end(), bytes_.begin());
    size_ = id.size();
    return;
  }
  const Hash32 hash = crypto::sha256(id);
  std::copy_n(hash.begin(), kByIdKeyBytes, bytes_.begin());
  size_ = kByIdKeyBytes;
}

Result<RecordKey> decodeRecordKey(ByteView bytes) {
  if (bytes.size() < kRecordKeyPrefixBytes) return Status::Corruption("short record key");
  if (bytes[0] > kMaxKind) return Status::Corruption("unknown kind in record key");
  RecordKey key;
  key.kind = static_cast<catalog::Kind>(bytes[0]);
  std::copy(bytes.begin() + 1, bytes.begin() + kRecordKeyPrefixBytes, key.author.begin());
  key.id = std::string(asChars(bytes.subspan(kRecordKeyPrefixBytes)));
  return key;
}

Bytes erasedKey(const PublicKey& author, uint64_t seq) {
  Bytes out(kErasedPrefix.begin(), kErasedPrefix.end());
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
  appendU64BE(out, value.head.bytes);
  return out;
}

Result<HeadValue> decodeHead(ByteView bytes) {
  if (bytes.size() != kHeadValueBytes && bytes.size() != kHeadValueWithoutBytes) {
    return Status::Corruption("bad head value size");
  }
  HeadValue value;
  const uint8_t* p = bytes.data();
  value.head.seq = readU64BE(p);
  value.head.hash = readHash(p + 8);
  value.head.time_ms = static_cast<int64_t>(readU64BE(p + 8 + kHashBytes));
  value.verified_up_to = readU64BE(p + 16 + kHashBytes);
  value.bytes_known = bytes.size() == kHeadValueBytes;
  if (value.bytes_known) value.head.bytes = readU64BE(p + 24 + kHashBytes);
  return value;
}

NumberKey numberKey(uint64_t number) {
  NumberKey out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(number >> (56 - 8 * i));
  return out;
}

Result<uint64_t> decodeNumberKey(ByteView bytes, std::string_view what) {
  if (bytes.size() != sizeof(NumberKey)) {
    return Status::Corruption("bad " + std::string(what) + " size");
  }
  return readU64BE(bytes.data());
}

std::array<uint8_t, kRidBytes> ridKey(Rid rid) { return numberKey(rid); }

Result<Rid> decodeRid(ByteView bytes) { return decodeNumberKey(bytes, "rid"); }

Bytes encodeRecordValue(const RecordValue& value) {
  Bytes out;
  out.reserve(kRecordValueLocalBytes);
  appendU64BE(out, value.seq);
  out.push_back(static_cast<uint8_t>(value.op));
  appendBytes(out, value.body_hash);
  appendU64BE(out, static_cast<uint64_t>(value.time_ms));
  appendU64BE(out, value.rid);
  appendU64BE(out, static_cast<uint64_t>(value.applied_ms));
  appendU64BE(out, value.last_upsert_seq);
  return out;
}

Result<RecordValue> decodeRecordValue(ByteView bytes) {
  if (bytes.size() != kRecordValueBytes && bytes.size() != kRecordValueLocalBytes) {
    return Status::Corruption("bad record value size");
  }
  if (bytes[8] > kMaxOp) return Status::Corruption("unknown op in record value");
  RecordValue value;
  const uint8_t* p = bytes.data();
  value.seq = readU64BE(p);
  value.op = static_cast<feed::Op>(p[8]);
  value.body_hash = readHash(p + 9);
  value.time_ms = static_cast<int64_t>(readU64BE(p + 9 + kHashBytes));
  value.rid = readU64BE(p + kRecordStateBytes);
  if (bytes.size() == kRecordValueLocalBytes) {
    value.applied_ms = static_cast<int64_t>(readU64BE(p + kRecordValueBytes));
    value.last_upsert_seq = readU64BE(p + kRecordValueBytes + 8);
  }
  return value;
}

void encodeHeaderValue(ByteView header, ByteView signature, const StoredBody& body, Bytes& out) {
  // Header and signature sizes are bounded by decodeUpdate (kMaxHeaderBytes, Ed25519).
  EICHUB_CHECK(header.size() <= UINT32_MAX && signature.size() <= UINT16_MAX)
      << "signed update too large for the headers layout";
  out.clear();
  out.reserve(kHeaderPrefixBytes + header.size() + signature.size() + body.bytes.size());
  appendU32BE(out, static_cast<uint32_t>(header.size()));
  out.push_back(static_cast<uint8_t>(signature.size() >> 8));
  out.push_back(static_cast<uint8_t>(signature.size()));
  out.push_back(static_cast<uint8_t>(body.codec));
  appendBytes(out, header);
  appendBytes(out, signature);
  appendBytes(out, body.bytes);
}

namespace {

// Splits what follows the lengths (and codec) into header, signature and stored body.
Result<HeaderValue> splitHeaderValue(ByteView lengths, ByteView rest, BodyCodec codec) {
  const size_t header_len = readU32BE(lengths.data());
  const size_t signature_len = size_t{lengths[4]} << 8 | lengths[5];
  if (header_len > rest.size() || signature_len > rest.size() - header_len) {
    return Status::Corruption("header value lengths past value end");
  }
  HeaderValue value;
  value.header = rest.first(header_len);
  value.signature = rest.subspan(header_len, signature_len);
  value.body = StoredBody{codec, rest.subspan(header_len + signature_len)};
  return value;
}

}  // namespace

Result<HeaderValue> decodeHeaderValue(ByteView bytes) {
  if (bytes.size() < kHeaderPrefixBytes) return Status::Corruption("short header value");
  const auto codec = static_cast<BodyCodec>(bytes[kHeaderLengthsBytes]);
  if (codec != BodyCodec::kRaw && codec != BodyCodec::kZstd) {
    return Status::Corruption("header value has an unknown body codec",
                              std::to_string(bytes[kHeaderLengthsBytes]));
  }
  return splitHeaderValue(bytes, bytes.subspan(kHeaderPrefixBytes), codec);
}

Result<HeaderValue> decodeUncompressedHeaderValue(ByteView bytes) {
  if (bytes.size() < kHeaderLengthsBytes) return Status::Corruption("short header value");
  return splitHeaderValue(bytes, bytes.subspan(kHeaderLengthsBytes), BodyCodec::kRaw);
}

TextPostingBytes encodeTextPosting(const TextPosting& posting) {
  EICHUB_CHECK(posting.weight <= kMaxWeight) << "field weight does not fit a posting";
  TextPostingBytes out{};
  auto rid = ridKey(posting.rid);
  std::copy(rid.begin(), rid.end(), out.begin());
  out[kRidBytes] = static_cast<uint8_t>(static_cast<uint8_t>(posting.kind) << 4 | posting.weight);
  out[kRidBytes + 1] = static_cast<uint8_t>(posting.label_bytes >> 8);
  out[kRidBytes + 2] = static_cast<uint8_t>(posting.label_bytes);
  return out;
}

Result<TextPosting> decodeTextPosting(ByteView bytes) {
  if (bytes.size() != kTextPostingBytes) return Status::Corruption("bad text posting size");
  const uint8_t kind_weight = bytes[kRidBytes];
  if ((kind_weight >> 4) > kMaxKind) return Status::Corruption("unknown kind in text posting");
  TextPosting posting;
  posting.rid = readU64BE(bytes.data());
  posting.kind = static_cast<catalog::Kind>(kind_weight >> 4);
  posting.weight = kind_weight & kMaxWeight;
  posting.label_bytes = static_cast<uint16_t>(bytes[kRidBytes + 1] << 8 | bytes[kRidBytes + 2]);
  return posting;
}

std::array<uint8_t, 8> changeKey(uint64_t number) { return numberKey(number); }

Bytes encodeChange(const PublicKey& author, uint64_t seq, catalog::Kind kind, feed::Op op,
                   int64_t applied_ms, std::string_view id) {
  Bytes out(author.begin(), author.end());
  appendU64BE(out, seq);
  out.push_back(static_cast<uint8_t>(kind));
  out.push_back(static_cast<uint8_t>(op) | kChangeAppliedFlag);
  appendU64BE(out, static_cast<uint64_t>(applied_ms));
  out.insert(out.end(), id.begin(), id.end());
  return out;
}

Result<ChangeEntry> decodeChange(ByteView key, ByteView value) {
  constexpr size_t kFixed = kPublicKeyBytes + 8 + 2;
  if (key.size() != 8 || value.size() < kFixed) return Status::Corruption("short change entry");
  ChangeEntry entry;
  for (uint8_t b : key) entry.number = (entry.number << 8) | b;
  std::copy_n(value.begin(), kPublicKeyBytes, entry.author.begin());
  for (size_t i = 0; i < 8; ++i) entry.seq = (entry.seq << 8) | value[kPublicKeyBytes + i];
  uint8_t kind = value[kPublicKeyBytes + 8];
  uint8_t op = value[kPublicKeyBytes + 9];
  const bool applied = (op & kChangeAppliedFlag) != 0;
  op &= static_cast<uint8_t>(~kChangeAppliedFlag);
  if (kind > kMaxKind || op > kMaxOp) {
    return Status::Corruption("change entry with an unknown kind or op");
  }
  entry.kind = static_cast<catalog::Kind>(kind);
  entry.op = static_cast<feed::Op>(op);
  size_t id_at = kFixed;
  if (applied) {
    if (value.size() < kFixed + 8) return Status::Corruption("short change entry");
    entry.applied_ms = static_cast<int64_t>(readU64BE(value.data() + kFixed));
    id_at += 8;
  }
  entry.id = std::string(asChars(value.subspan(id_at)));
  return entry;
}

}  // namespace eichub::store::internal
