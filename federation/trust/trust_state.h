// TrustState: who may write what, derived deterministically from the configured roots and
// directly trusted keys plus the trust records held (the README's "Trust and security"; the
// models are TUF delegations and SSB feeds). Pure: no clock, no storage. Equal inputs give equal
// states on every node, whatever the order the records arrived in.
//
// Chain: root (configured) -> member (membership in a root's feed) -> vendor (delegation in a
// member's or directly trusted key's feed, with a scope). Directly trusted keys (the node itself,
// its peers, `trust add`) act as members. A vendor cannot delegate (depth 1), so a scope never
// widens along a chain; a rotated key inherits exactly its old key's role and scope.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/feed/update.h"
#include "federation/trust/trust_record.h"

namespace eichub::trust {

// Bounds on what trust records can make a node do.
inline constexpr int kMaxRotationChain = 16;                 // rotations from one original key
inline constexpr size_t kMaxDelegationsPerGrantor = 10'000;  // vendors one member may admit
// Trust records judged per author: its delegations, as many revocations, and room for rotations,
// approvals and its expiry. One author's surplus (its records after this many, by seq) is
// ignored and counted, so that a member who floods trust records harms nobody but itself.
inline constexpr size_t kMaxTrustRecordsPerAuthor = 2 * kMaxDelegationsPerGrantor + 1'024;
inline constexpr int kMaxDeriveRounds = kMaxRotationChain + 4;  // fixpoint rounds

// Verdict reasons: short, stable, used as counter labels.
namespace reason {
inline constexpr std::string_view kAccepted = "";
inline constexpr std::string_view kUnknownAuthor = "unknown_author";
inline constexpr std::string_view kAfterCutoff = "after_cutoff";
inline constexpr std::string_view kDropped = "dropped";
inline constexpr std::string_view kOutOfScopeKind = "out_of_scope_kind";
inline constexpr std::string_view kOutOfScopePrefix = "out_of_scope_prefix";
inline constexpr std::string_view kExpired = "expired";
inline constexpr std::string_view kNotAuthorized = "not_authorized";
// A key a root rotated to, before enough roots stand behind the rotation (m of n).
inline constexpr std::string_view kRotationUnconfirmed = "rotation_unconfirmed";
// Past a quota its membership or delegation signs: maxUpdates (a cut-off at that seq), or
// maxBytes (a cut-off before the first seq at which the feed's bodySize sum passes it).
inline constexpr std::string_view kOverQuota = "over_quota";
// Past this node's own limit (TrustConfig::local_max_updates): judged here only.
inline constexpr std::string_view kOverLocalQuota = "over_local_quota";
// Past this node's own byte budget per author (TrustConfig::local_max_bytes): judged here only,
// and never the fault of the peer that sent the update.
inline constexpr std::string_view kLocalBudget = "local_budget";
}  // namespace reason

inline constexpr uint64_t kNoCutoff = std::numeric_limits<uint64_t>::max();

enum class Role { kRoot, kDirect, kMember, kVendor };
std::string_view roleName(Role role);

struct Scope {
  std::vector<feed::KindCode> kinds;
  std::string id_prefix;
  int64_t expires_ms = 0;  // 0: never
  bool operator==(const Scope&) const = default;
};

struct AuthorTrust {
  Role role = Role::kDirect;
  PublicKey granted_by{};       // the root or member whose record admitted it; zero if configured
  uint64_t granted_at_seq = 0;  // seq of that record in granted_by's feed
  std::string name;
  std::string region;
  Scope scope;  // vendors only
  // Quota of a member or vendor: its feed counts up to this seq; 0: no limit. Configured keys
  // have none. A rotated key inherits it for its new feed (so at most kMaxRotationChain + 1
  // times the quota in all).
  uint64_t max_updates = 0;
  // Byte quota: the feed counts while the sum of bodySize from seq 1 is at most this; 0: no
  // limit. Inherited by a rotated key for its new feed, as max_updates.
  uint64_t max_bytes = 0;
  PublicKey rotated_from{};  // zero unless this key took over from another
  int rotations = 0;         // length of the rotation chain leading here
  PublicKey identity{};      // the key it descends from by rotations (itself when none)
  bool operator==(const AuthorTrust&) const = default;
};

// Why an author's feed ends early.
enum class CutCause { kRemoved, kRevoked, kRotated };
std::string_view cutCauseName(CutCause cause);

struct Cut {
  uint64_t cutoff_seq = kNoCutoff;  // updates with a higher seq are refused and do not count
  bool drop = false;                // no update of the author counts at all
  CutCause cause = CutCause::kRemoved;
  PublicKey by{};
  std::string reason;
  PublicKey rotated_to{};  // kRotated only
  bool operator==(const Cut&) const = default;
};

// A trust record held in a feed: its header's author, seq and signed time, and its body.
struct HeldRecord {
  PublicKey author{};
  uint64_t seq = 0;
  int64_t time_ms = 0;
  std::string id;
  TrustRecord record;
};

// A root key's rotation waiting for approvals under an m-of-n threshold.
struct PendingRotation {
  PublicKey old_key{};
  uint32_t identities = 0;  // distinct root identities behind it so far, the rotating one too
  bool operator==(const PendingRotation&) const = default;
};

// Roots may form an m-of-n authority: with root_threshold m > 1, a record a root writes
// (membership, removal, delegation, revocation) counts only once m distinct root identities
// (configured root keys, followed through their rotations) hold the same record, id and body,
// in their own feeds. A key counts once however often it signs. A root key's rotation (in its
// own feed) counts once m distinct root identities stand behind it: the rotating one, and the
// others by approval records naming the old and new keys. A thief of one root key cannot move
// that key's voice alone. Expiry records are the author's own and need no agreement.
inline constexpr uint32_t kMaxRootThreshold = 64;
struct TrustConfig {
  std::set<PublicKey> roots;
  std::set<PublicKey> direct;
  uint32_t root_threshold = 1;  // 1..kMaxRootThreshold
  // A node-local last guard ([limits] in config.toml): members' and vendors' feeds count up to
  // this seq on this node; 0: none. Not signed: it can make this node's state differ.
  uint64_t local_max_updates = 0;
  // A node-local byte budget ([limits] max_mb_per_author): every author's feed counts while its
  // bodySize summed from seq 1 is at most this, except the keys in own; 0: none. Not signed
  // either: it can make this node's state differ.
  uint64_t local_max_bytes = 0;
  std::set<PublicKey> own = {};  // this node's keys (current and former): their feeds are exempt
};

class TrustState {
 public:
  // Derives the state: rounds of "apply every held record whose update the previous round
  // accepts", from the configured keys, until nothing changes (at most kMaxDeriveRounds; the
  // result is a pure function of the inputs either way). The configured roots' records are
  // judged first, then every other author's in (author, seq) order; beyond
  // kMaxTrustRecordsPerAuthor an author's later records are ignored (overflowing()).
  static TrustState derive(const TrustConfig& config, std::vector<HeldRecord> held);

  // Whether an update with this header may count: reason::kAccepted (empty) or the reason it
  // may not. Judged on signed data only: seq against cut-offs and the quota, kind and id
  // against the scope, the header's time against the delegation's expiry.
  std::string_view verdict(const feed::HeaderFields& header) const;
  // The byte quota's verdict on an update of author's feed: reason::kOverQuota when feed_bytes,
  // the sum of bodySize over the feed from seq 1 through that update, passes the quota its
  // membership or delegation signs (max_bytes); reason::kLocalBudget when it passes this node's
  // budget (TrustConfig::local_max_bytes) and the author is not one of the node's own keys; else
  // kAccepted. Every update from the first over it is refused, like a cut-off there: the sum
  // only grows along a feed.
  std::string_view byteVerdict(const PublicKey& author, uint64_t feed_bytes) const;
  // The last seq of author's feed that may count (cut-offs and quota): 0 for an unknown or
  // dropped author.
  uint64_t lastAcceptedSeq(const PublicKey& author) const;

  const std::map<PublicKey, AuthorTrust>& authors() const { return authors_; }
  const std::map<PublicKey, Cut>& cuts() const { return cuts_; }
  // Root rotations below the threshold, by new key.
  const std::map<PublicKey, PendingRotation>& pendingRotations() const { return pending_; }
  // The newest signed expiry each trusted author declared for its own feed (Expiry records):
  // for staleness reports only.
  const std::map<PublicKey, int64_t>& expiries() const { return expiries_; }
  const AuthorTrust* find(const PublicKey& author) const;
  // Authors holding more than kMaxTrustRecordsPerAuthor trust records, with how many of theirs
  // were ignored.
  const std::map<PublicKey, uint64_t>& overflowing() const { return overflowing_; }
  bool operator==(const TrustState&) const = default;

 private:
  static TrustState base(const TrustConfig& config);
  // Applies one record (already accepted by prev) to this state.
  void apply(const TrustState& prev, const HeldRecord& held);
  void cut(const PublicKey& key, Cut cut);

  std::map<PublicKey, AuthorTrust> authors_;
  std::map<PublicKey, Cut> cuts_;
  std::map<PublicKey, size_t> delegations_;  // per grantor, bounded
  std::map<PublicKey, PendingRotation> pending_;
  std::map<PublicKey, int64_t> expiries_;
  std::map<PublicKey, uint64_t> overflowing_;
  uint64_t local_max_updates_ = 0;  // TrustConfig::local_max_updates
  uint64_t local_max_bytes_ = 0;    // TrustConfig::local_max_bytes
  std::set<PublicKey> own_;         // TrustConfig::own
};

}  // namespace eichub::trust
