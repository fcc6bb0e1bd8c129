// Feed updates: building, encoding and verifying signed, hash-chained headers (docs/architecture.md
// "Feed format 2"). Everything that is hashed or signed is the canonical Cap'n Proto encoding of a
// Header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "schemas/feed.capnp.h"

namespace eichub::feed {

using Op = schema::Op;

// A record's kind as a header carries it: a number the federation does not interpret, but for
// trust's, whose bodies are the trust records every node judges (federation/trust). The node
// names the others (node/catalog/kinds.h), so a new kind of record touches nothing here.
using KindCode = uint16_t;
inline constexpr KindCode kTrustKind = 8;

// Limits on what one update may hold. Each has a reason; tests send limit+1.
inline constexpr size_t kMaxNetworkBytes = 64;        // a network name, not a document
inline constexpr size_t kMaxIdBytes = 256;            // LMDB keys hold kind+author+id (limit 511)
inline constexpr size_t kMaxTags = 64;                // tags are filters, not content
inline constexpr size_t kMaxTagBytes = 256;           // a tag is "prefix:value", a uri at most
inline constexpr size_t kMaxHeaderBytes = 32 * 1024;  // all of the above fit in far less
inline constexpr size_t kMaxBodyBytes = 256 * 1024;   // one catalogue record; courses are < 64 KiB
inline constexpr size_t kMaxEraseTargets = 1024;      // versions one erase names; 8 KiB of header

// The decoded fields of a Header.
struct HeaderFields {
  std::string network;
  PublicKey author{};
  uint64_t seq = 0;
  Hash32 prev{};  // all zero for seq 1
  int64_t time_ms = 0;
  Op op = Op::UPSERT;
  KindCode kind = 0;
  std::string id;
  std::vector<std::string> tags;
  Hash32 body_hash{};  // all zero (encoded as empty) when there is no body
  uint32_t body_size = 0;
  std::vector<uint64_t> erases;  // ERASE only: earlier seqs of this record, ascending

  bool hasBody() const { return op == Op::UPSERT; }
};

// An update as it travels: exact signed header bytes, signature and body bytes.
struct SignedUpdate {
  Bytes header;
  Bytes signature;
  Bytes body;
  // Empty, or body as one zstd frame (body_frame.h): as a store read it or a peer sent it. When
  // set it decompresses to body, so a receiver may store it as it came and a server may send it
  // instead of body; whoever changes body clears it. Not counted by signedBytes.
  Bytes body_zstd;
};

// The bytes an update holds as signed: header, signature and body (what byte limits count).
inline size_t signedBytes(const SignedUpdate& u) {
  return u.header.size() + u.signature.size() + u.body.size();
}

// An update whose header decoded, whose body matches its hash and size, and whose
// signature verified, or is vouched for by the chain: a later header of the same run links to
// it and that run's last signature verified (see signature_checked).
struct VerifiedUpdate {
  HeaderFields fields;
  Hash32 hash{};  // signedHeaderHash: the update's id in its feed, and the next header's prev
  SignedUpdate signed_update;
  bool signature_checked = true;
};

// signedBytes summed over a run.
inline size_t signedBytes(const std::vector<VerifiedUpdate>& run) {
  size_t bytes = 0;
  for (const VerifiedUpdate& u : run) bytes += signedBytes(u.signed_update);
  return bytes;
}

// The bytes a run holds in memory: its signed bytes and the body frames kept beside them (what
// a bound on memory counts; a bound on messages counts signedBytes, as the sender does).
inline size_t heldBytes(const std::vector<VerifiedUpdate>& run) {
  size_t bytes = 0;
  for (const VerifiedUpdate& u : run) {
    bytes += signedBytes(u.signed_update) + u.signed_update.body_zstd.size();
  }
  return bytes;
}

// The last update a holder has of one feed.
struct Head {
  uint64_t seq = 0;  // 0: nothing held yet
  Hash32 hash{};     // zero when seq is 0
  int64_t time_ms = 0;
  // bodySize summed over seq 1..seq: what byte quotas judge (trust::TrustState::byteVerdict).
  // Kept by the store's heads and the sync engine's tails; 0 where nobody needs it.
  uint64_t bytes = 0;
};

// The feed format these headers follow: 2, where prev hashes the previous signed header, its
// signature included (format 1 hashed the header bytes only and left signatures outside the
// chain). Written in feed files and carried in hello; format 1 is refused with both versions
// named, and `eichub migrate` upgrades a format-1 home.
inline constexpr uint32_t kFeedFormat = 2;

// SHA-256 of a signed header: its canonical header bytes, then its 64-byte signature. It is a
// feed's head hash and the next header's prev, so one verified signature at the end of a
// contiguous run vouches for every header and every signature before it.
Hash32 signedHeaderHash(ByteView header, ByteView signature);

// Canonical encoding of fields. Fields must be within the limits above (checked: a broken
// invariant for our own writer).
Bytes encodeHeader(const HeaderFields& fields);

// A header encoded before the hash of the signed header it follows is known: the canonical
// encoding of its fields with prev's 32 bytes left zero at prev_offset, where chainHeader writes
// them. Publishers encode ahead of the chain, so that only the signature and the signed-header
// hash wait for the update before (docs/architecture.md "Feed format 2").
struct UnchainedHeader {
  Bytes bytes;
  size_t prev_offset = 0;  // of prev's 32 bytes in bytes, as Cap'n Proto reads it back
};

// Canonical encoding of fields, but prev, which must be zero (the placeholder). Fields but prev
// must be within the limits above (checked: a broken invariant for our own writer).
UnchainedHeader encodeUnchainedHeader(const HeaderFields& fields);

// Writes prev in place: header.bytes becomes encodeHeader of its fields with this prev. Checks
// that the placeholder is still zero (a header is chained once).
void chainHeader(UnchainedHeader& header, const Hash32& prev);

// Decodes header bytes received from anyone. Fails with InvalidArgument when the bytes are not
// a canonical Header message, a field is out of its limits, or the fields disagree (a body hash
// on a delete, a seq of 0, a non-zero prev on seq 1).
Result<HeaderFields> decodeHeader(ByteView header_bytes);

}  // namespace eichub::feed
