// Canonical header encoding and defensive header decoding.
#include "federation/feed/update.h"

#include <algorithm>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include "federation/common/capnp_read.h"
#include "federation/common/check.h"
#include "federation/common/utf8.h"
#include "federation/crypto/sha256.h"

namespace eichub::feed {

namespace {

constexpr int kHeaderNestingLimit = 4;  // Header -> List(Text) -> Text: 3 levels
constexpr Hash32 kZeroHash{};
// The builder's first segment: a header without tags is about 240 bytes, so this holds most in
// one zeroed allocation, where Cap'n Proto's default (8 KiB) costs a calloc of 8 KiB per header.
// Larger headers grow the builder; the canonical bytes do not depend on it.
constexpr unsigned kHeaderFirstSegmentWords = 64;

// With its size: a std::string converts to Text through c_str(), which stops at a NUL byte.
capnp::Text::Reader textOf(std::string_view text) { return {text.data(), text.size()}; }

template <size_t N>
bool copyFixed(capnp::Data::Reader data, std::array<uint8_t, N>& out) {
  if (data.size() != N) return false;
  std::copy(data.begin(), data.end(), out.begin());
  return true;
}

Status checkText(std::string_view what, std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + " longer than " + std::to_string(max_bytes) +
                                   " bytes");
  }
  if (!isValidUtf8(text)) return Status::InvalidArgument(std::string(what) + " is not UTF-8");
  return Status::OK();
}

// An erase names at least one earlier seq, ascending without repeats; other ops name none.
Status checkErases(const HeaderFields& f) {
  if (f.op != Op::ERASE) {
    if (!f.erases.empty())
      return Status::InvalidArgument("erase targets on an update not an erase");
    return Status::OK();
  }
  if (f.erases.empty()) return Status::InvalidArgument("erase names no seq");
  if (f.erases.size() > kMaxEraseTargets) return Status::InvalidArgument("too many erase targets");
  uint64_t last = 0;
  for (uint64_t target : f.erases) {
    if (target <= last || target >= f.seq) {
      return Status::InvalidArgument("erase targets must be earlier seqs, ascending");
    }
    last = target;
  }
  return Status::OK();
}

// Field checks but prev's, shared by the writers (as an invariant) and the reader (as input
// validation).
Status checkFieldsButPrev(const HeaderFields& f) {
  if (f.network.size() > kMaxNetworkBytes) return Status::InvalidArgument("network too long");
  if (f.seq == 0) return Status::InvalidArgument("seq 0");
  if (f.op > Op::ERASE) return Status::InvalidArgument("unknown op");
  if (f.id.empty()) return Status::InvalidArgument("empty id");
  EICHUB_RETURN_IF_ERROR(checkText("id", f.id, kMaxIdBytes));
  if (f.tags.size() > kMaxTags) return Status::InvalidArgument("too many tags");
  for (const std::string& tag : f.tags) EICHUB_RETURN_IF_ERROR(checkText("tag", tag, kMaxTagBytes));
  if (f.hasBody()) {
    if (f.body_size > kMaxBodyBytes) return Status::InvalidArgument("body too large");
  } else if (f.body_size != 0 || f.body_hash != kZeroHash) {
    return Status::InvalidArgument("body on an update that has none");
  }
  return checkErases(f);
}

Status checkFields(const HeaderFields& f) {
  if (f.seq == 1 && f.prev != kZeroHash) return Status::InvalidArgument("seq 1 with a prev");
  if (f.seq > 1 && f.prev == kZeroHash) return Status::InvalidArgument("missing prev");
  return checkFieldsButPrev(f);
}

// The canonical words of fields, checked by the caller.
kj::Array<capnp::word> canonicalHeaderWords(const HeaderFields& f) {
  capnp::MallocMessageBuilder message(kHeaderFirstSegmentWords);
  auto h = message.initRoot<schema::Header>();
  h.setNetwork(dataOf(asBytes(f.network)));
  h.setAuthor(dataOf(f.author));
  h.setSeq(f.seq);
  h.setPrev(dataOf(f.prev));
  h.setTime(f.time_ms);
  h.setOp(f.op);
  h.setKind(f.kind);
  h.setId(textOf(f.id));
  auto tags = h.initTags(static_cast<unsigned>(f.tags.size()));
  for (size_t i = 0; i < f.tags.size(); ++i) tags.set(static_cast<unsigned>(i), textOf(f.tags[i]));
  if (f.hasBody()) h.setBodyHash(dataOf(f.body_hash));
  h.setBodySize(f.body_size);
  if (!f.erases.empty()) {
    auto erases = h.initErases(static_cast<unsigned>(f.erases.size()));
    for (size_t i = 0; i < f.erases.size(); ++i) erases.set(static_cast<unsigned>(i), f.erases[i]);
  }
  return capnp::canonicalize(h.asReader());
}

Bytes bytesOf(const kj::Array<capnp::word>& words) {
  auto bytes = words.asBytes();
  return Bytes(bytes.begin(), bytes.end());
}

}  // namespace

Hash32 signedHeaderHash(ByteView header, ByteView signature) {
  crypto::Sha256 hash;
  hash.update(header);
  hash.update(signature);
  return hash.finish();
}

Bytes encodeHeader(const HeaderFields& f) {
  EICHUB_CHECK(checkFields(f).ok()) << "writing an invalid header: " << checkFields(f).toString();
  return bytesOf(canonicalHeaderWords(f));
}

UnchainedHeader encodeUnchainedHeader(const HeaderFields& f) {
  EICHUB_CHECK(f.prev == kZeroHash) << "an unchained header's prev is the zero placeholder";
  EICHUB_CHECK(checkFieldsButPrev(f).ok())
      << "writing an invalid header: " << checkFieldsButPrev(f).toString();
  kj::Array<capnp::word> words = canonicalHeaderWords(f);
  // Where prev lies, as Cap'n Proto itself reads the canonical words back: its place follows from
  // the lengths before it (network), so it is found in the bytes, not assumed.
  kj::ArrayPtr<const capnp::word> segment = words.asPtr();
  capnp::SegmentArrayMessageReader reader(kj::arrayPtr(&segment, 1));
  capnp::Data::Reader prev = reader.getRoot<schema::Header>().getPrev();
  EICHUB_CHECK(prev.size() == kHashBytes) << "prev is not 32 bytes";
  UnchainedHeader out;
  out.prev_offset = static_cast<size_t>(prev.begin() - words.asBytes().begin());
  out.bytes = bytesOf(words);
  return out;
}

void chainHeader(UnchainedHeader& header, const Hash32& prev) {
  EICHUB_CHECK(header.prev_offset + kHashBytes <= header.bytes.size()) << "prev outside the header";
  uint8_t* place = header.bytes.data() + header.prev_offset;
  EICHUB_CHECK(std::all_of(place, place + kHashBytes, [](uint8_t b) { return b == 0; }))
      << "prev written before";
  std::copy(prev.begin(), prev.end(), place);
}

Result<HeaderFields> decodeHeader(ByteView header_bytes) {
  if (header_bytes.size() > kMaxHeaderBytes) return Status::InvalidArgument("header too large");
  EICHUB_ASSIGN_OR_RETURN(
      auto message,
      SegmentMessage::open(header_bytes, readerOptions(kMaxHeaderBytes, kHeaderNestingLimit)));
  HeaderFields f;
  try {
    if (!message->reader().isCanonical()) return Status::InvalidArgument("header is not canonical");
    auto h = message->reader().getRoot<schema::Header>();
    auto network = h.getNetwork();
    if (network.size() > kMaxNetworkBytes) return Status::InvalidArgument("network too long");
    f.network.assign(network.asChars().begin(), network.asChars().end());
    if (!copyFixed(h.getAuthor(), f.author)) return Status::InvalidArgument("author not 32 bytes");
    f.seq = h.getSeq();
    if (!copyFixed(h.getPrev(), f.prev)) return Status::InvalidArgument("prev not 32 bytes");
    f.time_ms = h.getTime();
    f.op = h.getOp();
    f.kind = h.getKind();
    auto id = h.getId();
    if (id.size() > kMaxIdBytes) return Status::InvalidArgument("id too long");
    f.id.assign(id.begin(), id.end());
    auto tags = h.getTags();
    if (tags.size() > kMaxTags) return Status::InvalidArgument("too many tags");
    for (auto tag : tags) f.tags.emplace_back(tag.begin(), tag.end());
    auto body_hash = h.getBodyHash();
    if (body_hash.size() != 0 && !copyFixed(body_hash, f.body_hash)) {
      return Status::InvalidArgument("body hash not 32 bytes");
    }
    if (f.op == Op::UPSERT && body_hash.size() == 0) {
      return Status::InvalidArgument("upsert without a body hash");
    }
    f.body_size = h.getBodySize();
    auto erases = h.getErases();
    if (erases.size() > kMaxEraseTargets) return Status::InvalidArgument("too many erase targets");
    for (uint64_t target : erases) f.erases.push_back(target);
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed header", e.getDescription().cStr());
  }
  EICHUB_RETURN_IF_ERROR(checkFields(f));
  // isCanonical() lets through some encodings that are not the one canonical form (Cap'n Proto
  // 0.9.2 does not check the offset of an empty list; found by fuzz_signed_update): only our
  // own encoding of the fields is accepted, so that one header has one id.
  if (encodeHeader(f) != Bytes(header_bytes.begin(), header_bytes.end())) {
    return Status::InvalidArgument("header is not canonical");
  }
  return f;
}

}  // namespace eichub::feed
