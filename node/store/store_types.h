// The store's value types: record keys and states, what apply() did, search queries and hits,
// feed heads and change entries. Copied out of LMDB: none borrows from a transaction.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "federation/common/bytes.h"
#include "federation/feed/update.h"
#include "node/catalog/kinds.h"

namespace eichub::store {

// Identifies one catalogue record: only its author's feed can change it.
struct RecordKey {
  catalog::Kind kind = catalog::Kind::SKILL;
  PublicKey author{};
  std::string id;
  auto operator<=>(const RecordKey&) const = default;
};

// The current state of one record: the newest update of its author's feed that touches it.
struct RecordState {
  RecordKey key;
  uint64_t seq = 0;
  feed::Op op = feed::Op::UPSERT;  // DELETE: a tombstone
  Hash32 body_hash{};
  int64_t time_ms = 0;  // the author's signed time of that update
  Bytes body;           // the record's canonical bytes; empty for a tombstone or an erased body
  // Node-local, never in the digest. 0 in state stored before these fields (schema 5 stores
  // written by older builds): a reader falls back to time_ms and to no last upsert.
  int64_t applied_ms = 0;        // this node's clock when it stored this state
  uint64_t last_upsert_seq = 0;  // the newest upsert up to seq: for a tombstone, the version
                                 // it ended (whose header keeps the record's tags)
};

// What one apply() did.
struct ApplyStats {
  uint64_t applied = 0;          // new updates stored
  uint64_t duplicates = 0;       // updates already held (same seq and hash): harmless, skipped
  uint64_t unindexed = 0;        // upserts stored without index terms: body not held, or not a
                                 // readable Record (the feed stays verifiable; search skips them)
  uint64_t erased_bodies = 0;    // bodies dropped by erases (the headers stay)
  uint64_t bodies_attached = 0;  // bodies stored for held header-only upserts (duplicates)
  uint64_t stale_bodies = 0;     // bodies of held upserts that are not their record's current
                                 // version (superseded, deleted or erased): not stored
};

struct SearchQuery {
  std::string text;                   // words; every word must match (case/accent-insensitive)
  std::optional<catalog::Kind> kind;  // restrict to one kind
  std::string lang;                   // restrict to records with a matching label in this language
  size_t limit = 10;
};

struct SearchHit {
  RecordKey key;
  double score = 0;  // higher is better
};

// How many live records one author holds of one kind.
struct AuthorKindCount {
  PublicKey author{};
  std::string kind;  // kind name, as countsByKind
  uint64_t count = 0;
};

struct FeedInfo {
  PublicKey author{};
  feed::Head head;
  uint64_t verified_up_to = 0;  // every signature up to this seq has been checked
};

// One applied update, in the node-local order of the change feed. The number is assigned when
// this node stores the update (1, 2, 3 ...), so it differs between nodes and is a cursor into
// this node's changes only; duplicates get no number.
struct ChangeEntry {
  uint64_t number = 0;
  PublicKey author{};
  uint64_t seq = 0;
  catalog::Kind kind = catalog::Kind::SKILL;
  feed::Op op = feed::Op::UPSERT;
  std::string id;
  int64_t applied_ms = 0;  // this node's clock when it stored the update; 0 in older entries
};

}  // namespace eichub::store
