// The store's adapter from body bytes (an unaligned LMDB value or a received body) to the
// texts the indexes need. Cap'n Proto exceptions stop here and become a Status.
#pragma once

#include <cstdint>
#include <memory>

#include "federation/common/bytes.h"
#include "federation/common/capnp_read.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/search/record_terms.h"

namespace eichub::store::internal {

// A body is at most feed::kMaxBodyBytes; four times its words bounds the work a hostile body
// with shared pointers can cause (Cap'n Proto amplification protection).
inline constexpr uint64_t kBodyTraversalLimitWords = feed::kMaxBodyBytes / sizeof(uint64_t) * 4;
// Record -> kind struct -> list -> struct -> text: a handful of levels suffice.
inline constexpr int kBodyNestingLimit = 16;

// A body's index texts, and the aligned copy of the body they are views into.
struct BodyTexts {
  std::unique_ptr<SegmentMessage> message;  // owns the bytes of texts; moving keeps them
  search::RecordTexts texts;
};

// Copies body into word-aligned memory (LMDB values are not 8-byte aligned; capnp 0.9.2 needs
// alignment), reads it as a schema::Record with the limits above and returns its index texts.
// Errors: InvalidArgument when body is not a valid Record message (size not a multiple of 8,
// bad pointers, limits exceeded).
Result<BodyTexts> bodyTexts(ByteView body);

}  // namespace eichub::store::internal
