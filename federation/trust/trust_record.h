// Trust records (schemas/trust.capnp): their C++ form, canonical encoding, defensive decoding
// with every limit named, the header id each one must carry, and the rotation signature.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"

namespace eichub::trust {

// Limits on one trust record. Each has a reason; tests send limit+1.
inline constexpr size_t kMaxNameBytes = 256;     // "Leeds Health Cluster", not a document
inline constexpr size_t kMaxRegionBytes = 16;    // a NUTS code is at most 5 characters
inline constexpr size_t kMaxReasonBytes = 1024;  // a sentence for the operator
inline constexpr size_t kMaxPrefixBytes = 128;   // an id prefix such as "acme/"
inline constexpr size_t kMaxScopeKinds = 16;     // a scope names a few kinds
inline constexpr size_t kMaxTrustBodyBytes = 4096;

struct Membership {
  PublicKey node{};
  std::string name;
  std::string region;
  uint64_t max_updates = 0;  // the member's feed counts up to this seq; 0: no limit
  uint64_t max_bytes = 0;    // ... while its bodySize summed from seq 1 is at most this; 0: none
};
struct Removal {
  PublicKey key{};
  uint64_t cutoff_seq = 0;
  bool drop_records = false;
  std::string reason;
};
struct Delegation {
  PublicKey vendor{};
  std::string name;
  std::vector<feed::KindCode> kinds;  // sorted, no duplicates, never feed::kTrustKind
  std::string id_prefix;              // may be empty: any id
  int64_t expires_ms = 0;             // compared with signed header times only
  uint64_t max_updates = 0;           // the vendor's feed counts up to this seq; 0: no limit
  uint64_t max_bytes = 0;  // ... while its bodySize summed from seq 1 is at most this; 0: none
};
struct Revocation {
  PublicKey vendor{};
  uint64_t cutoff_seq = 0;
  bool drop_records = false;
  std::string reason;
};
struct Rotation {
  PublicKey new_key{};
  Bytes new_key_signature;  // 64 bytes, see rotationMessage()
};

struct RotationApproval {
  PublicKey old_key{};
  PublicKey new_key{};
};
struct Expiry {
  int64_t expires_ms = 0;  // > 0; a report only, never in a verdict
};

using TrustRecord =
    std::variant<Membership, Removal, Delegation, Revocation, Rotation, RotationApproval, Expiry>;

// The header id a trust record must be published under, e.g. "member/<hex of the node>".
std::string recordId(const TrustRecord& record);
// Canonical bytes of record (the body of its update). Fields must be within the limits.
Bytes encodeRecord(const TrustRecord& record);
// Decodes a body received from anyone. Errors: InvalidArgument when it is not a canonical
// TrustRecord message within the limits (key sizes, text sizes and UTF-8, kinds).
Result<TrustRecord> decodeRecord(ByteView body);

// What the new key signs to accept a rotation from old_key in network.
Bytes rotationMessage(const std::string& network, const PublicKey& old_key,
                      const PublicKey& new_key);

// Checks an update of kind TRUST as the federation must before storing it: an upsert whose
// body decodes, whose header id is recordId(body), with no tags, and, for a rotation, whose
// new-key signature verifies. A delete of a trust record is refused: trust is only ever added
// to (cut-offs, not deletions, end a role). Errors: InvalidArgument, PermissionDenied (a
// rotation the new key did not sign).
Status checkTrustUpdate(const feed::VerifiedUpdate& update);

}  // namespace eichub::trust
