// Cap'n Proto and bytes: reading messages from untrusted bytes (alignment copy plus explicit
// limits), bytes as Data fields, canonical bytes of a root.
#pragma once

#include <cstring>
#include <memory>

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub {

// Copies bytes into word-aligned storage (Cap'n Proto 0.9.2 readers reject unaligned buffers).
// A kj::Array, not a std::vector: under clang capnp::word is not copyable, which vector needs.
// Errors: InvalidArgument when the length is not a whole number of words.
inline Status copyToWords(ByteView bytes, kj::Array<capnp::word>& words) {
  if (bytes.size() % sizeof(capnp::word) != 0) {
    return Status::InvalidArgument("message length is not a multiple of 8 bytes");
  }
  words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  if (!bytes.empty()) std::memcpy(words.begin(), bytes.data(), bytes.size());
  return Status::OK();
}

// Reader options for a message of at most max_bytes: traversal is bounded by twice its size
// (amplification by shared pointers stays bounded) and nesting by nesting_limit.
inline capnp::ReaderOptions readerOptions(size_t max_bytes, int nesting_limit) {
  capnp::ReaderOptions options;
  options.traversalLimitInWords = 2 * (max_bytes / sizeof(capnp::word)) + 16;
  options.nestingLimit = nesting_limit;
  return options;
}

// A single-segment message read from untrusted bytes: canonical encodings (what we hash and
// sign) are one segment with no framing. Owns an aligned copy, so roots stay valid while it
// lives. Reading fields may throw kj::Exception: callers catch it at their adapter.
class SegmentMessage {
 public:
  // Errors: InvalidArgument when the length is not a whole number of words.
  static Result<std::unique_ptr<SegmentMessage>> open(ByteView bytes,
                                                      const capnp::ReaderOptions& options) {
    auto out = std::make_unique<SegmentMessage>(Token{});
    EICHUB_RETURN_IF_ERROR(copyToWords(bytes, out->words_));
    out->segment_ = out->words_.asPtr();
    out->reader_ = std::make_unique<capnp::SegmentArrayMessageReader>(
        kj::arrayPtr(&out->segment_, 1), options);
    return out;
  }
  capnp::MessageReader& reader() { return *reader_; }
  // True when the bytes are exactly the canonical encoding of the root struct. Cap'n Proto
  // 0.9.2's isCanonical() alone lets an empty list's pointer carry any offset (found by
  // fuzzing), so one value would have many encodings, hashes and update ids: the root is
  // canonicalised again and compared byte for byte. May throw kj::Exception when malformed.
  bool isCanonical() {
    if (!reader_->isCanonical()) return false;
    kj::Array<capnp::word> again = reader_->getRoot<capnp::AnyStruct>().canonicalize();
    return again.asBytes() == words_.asBytes();
  }

 private:
  struct Token {};

 public:
  explicit SegmentMessage(Token) {}

 private:
  kj::Array<capnp::word> words_;
  kj::ArrayPtr<const capnp::word> segment_;
  std::unique_ptr<capnp::SegmentArrayMessageReader> reader_;
};

// Bytes as a Data field to set: a view, so the bytes must live until the setter has copied them.
inline capnp::Data::Reader dataOf(ByteView bytes) { return {bytes.data(), bytes.size()}; }

// Canonical bytes of a message root (what is hashed and signed).
template <typename Reader>
Bytes canonicalBytes(Reader reader) {
  kj::Array<capnp::word> words = capnp::canonicalize(reader);
  auto chars = words.asChars();
  return Bytes(chars.begin(), chars.end());
}

}  // namespace eichub
