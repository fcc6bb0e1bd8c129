// Sync protocol messages (schemas/federation.capnp) as plain C++ values, with an encoder and a
// defensive decoder for bytes received from peers.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"

namespace eichub::wire {

// Limits. Each has a reason; tests send limit+1.
inline constexpr size_t kMaxMessageBytes = 8 << 20;  // ZMQ_MAXMSGSIZE: a batch plus framing
inline constexpr size_t kMaxBatchUpdates = 1024;     // updates per Updates message
inline constexpr size_t kMaxBatchBytes = 4 << 20;    // payload bytes per Updates message
inline constexpr size_t kMaxHelloHeads = 90'000;     // 88 bytes each: 7.9 MB < kMaxMessageBytes
inline constexpr int kMessageNestingLimit = 16;      // Message -> Updates -> Update -> ...
inline constexpr size_t kMaxBodyRefs = 256;          // refs per wantBodies, items per bodies
inline constexpr size_t kMaxBodiesBytes = 4 << 20;   // body bytes per bodies message (a batch's)
// Body bytes a frame in Updates.bodyFrames may name per byte of itself: what a small message can
// make a receiver decompress (a batch's 4 MiB takes 128 KiB of frames, not a few KB). Catalogue
// text compresses 2-4 x; a server sends a body as signed instead of a frame past this bound.
inline constexpr size_t kMaxFrameExpansion = 32;

struct HeadInfo {
  PublicKey author{};
  uint64_t seq = 0;
  Hash32 hash{};
  bool operator==(const HeadInfo&) const = default;
};

struct Hello {
  uint32_t protocol_version = 0;
  std::string network;
  PublicKey node_id{};
  std::vector<HeadInfo> heads;
  uint64_t serve_budget_bytes = 0;  // what the sender serves past a want's held_seq (0: old node)
  bool zstd_bodies = false;         // the sender reads bodies sent as frames (body_zstd)
};

struct Want {
  PublicKey author{};
  uint64_t from_seq = 0;
  uint32_t credit = 0;
  bool headers_only = false;  // the updates without bodies
  uint64_t held_seq = 0;      // the client holds the feed up to here (0: not stated)
};

// An update by position in its feed.
struct BodyRef {
  PublicKey author{};
  uint64_t seq = 0;
  auto operator<=>(const BodyRef&) const = default;
};

struct WantBodies {
  std::vector<BodyRef> refs;  // at most kMaxBodyRefs
};

struct BodyItem {
  BodyRef ref;
  Bytes body;  // empty: not held (unchecked: the receiver binds it to its header's hash)
  // Empty, or body as one zstd frame (as SignedUpdate::body_zstd): sent instead of body to a
  // peer that reads frames, and kept beside body by the decoder when smaller than it.
  Bytes body_zstd{};
};

struct Bodies {
  std::vector<BodyItem> items;  // at most kMaxBodyRefs, kMaxBodiesBytes of bodies
};

struct Updates {
  std::vector<feed::SignedUpdate> updates;  // one author, contiguous, oldest first (unchecked)
};

struct Have {
  HeadInfo head;
};

// header and signature of each of the two conflicting updates.
struct ForkProof {
  feed::SignedUpdate first;  // body empty
  feed::SignedUpdate second;
};

struct Bye {};

using Message = std::variant<Hello, Want, Updates, Have, ForkProof, Bye, WantBodies, Bodies>;

// The protocol version this build speaks.
uint32_t protocolVersion();

// Encodes one message (Cap'n Proto flat array with segment table). Never fails for messages
// within the limits; callers keep batches within kMaxBatchUpdates / kMaxBatchBytes and bodies
// within kMaxBodyRefs / kMaxBodiesBytes.
struct EncodeOptions {
  // Updates and bodies carry a body as its frame (body_zstd) when it has one: only for a peer
  // whose hello set zstd_bodies. Otherwise, and for a body without a frame, the body as signed.
  bool body_frames = false;
};
Bytes encode(const Message& message, const EncodeOptions& options = {});

// Decodes bytes from a peer: at most kMaxMessageBytes, any alignment, read with a traversal
// limit of twice the received size and kMessageNestingLimit. Only the structure is checked here
// (sizes of keys, hashes and signatures, list lengths, header/body/batch byte limits, credit > 0;
// a body sent as a frame is decompressed here, within the body and batch (or bodies message)
// limits, and its frame kept in body_zstd when smaller);
// header contents, signatures and chains are checked by feed::verifyUpdate. The result owns
// copies of every field: bytes may be dropped as soon as this returns. Thread-safe.
// Errors: InvalidArgument saying what is wrong ("unknown message" for a union member this build
// does not know; "malformed message: <capnp reason>" for framing, pointer and limit violations).
Result<Message> decode(ByteView bytes);

// "hello", "want", ... for logs and counters.
const char* messageName(const Message& message);

}  // namespace eichub::wire
