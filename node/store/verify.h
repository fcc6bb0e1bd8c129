// Checking a store against its own signatures (docs/reliability.md case 22, a value corrupted on
// disk): every header's signature and chain link, every held body against its header's body hash,
// and every head against its last header. `eichub verify` reports what this finds; --repair drops
// bad bodies so that they are fetched again from peers as missing bodies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/store/catalog_store.h"

namespace eichub::store {

// What is wrong with one stored entry. Stable names (problemName) for JSON and logs.
enum class Problem {
  kHeaderUnreadable,  // the stored value or its header does not decode, or names another key
  kBadSignature,      // the header's signature does not verify: the header bytes were altered
  kBrokenChain,       // prev is not the hash of the header before, or time goes back
  kBadBody,           // the held body's size or SHA-256 differs from its header's
  kHeadMismatch,      // the heads table disagrees with the feed's last header
};
std::string_view problemName(Problem problem);

struct StoreProblem {
  PublicKey author{};
  uint64_t seq = 0;
  Problem problem = Problem::kBadBody;
};

struct VerifyReport {
  uint64_t feeds = 0;
  uint64_t headers = 0;  // headers checked (signature and link)
  uint64_t bodies = 0;   // held bodies checked
  std::vector<StoreProblem> problems;
};

// True when body is empty (not held) or matches the size and SHA-256 its header signs: the
// check made before a body is served or relayed.
bool bodyMatches(const feed::HeaderFields& header, ByteView body);

// Walks every feed of store from seq 1 to its head, in read transactions of a bounded number of
// updates. A header whose signature fails is reported once; the link from it to the next header
// is then not judged (the bad one is the altered one). Errors: the store's read errors.
Result<VerifyReport> verifyStore(const CatalogStore& store);

// The repair: drops the body held at (author, seq) when it does not match its header
// (bodyMatches), in one write transaction, so that the node fetches it again from its peers as
// a missing body; the record's state and index entries stay. A body that matches is never
// dropped. Returns whether a body was dropped. Errors: NotFound (no header there), Corruption
// (the header does not decode), lmdbStatus.
Result<bool> dropBadBody(CatalogStore& store, const PublicKey& author, uint64_t seq);

}  // namespace eichub::store
