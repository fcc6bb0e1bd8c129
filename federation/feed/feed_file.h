// Feed export files: a self-contained, verifiable copy of one feed's signed updates.
// Layout: the 8-byte magic "EICHUBF1", then Cap'n Proto stream-framed messages: one
// FeedFileInfo, then `count` Update messages, oldest first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "federation/feed/update.h"

namespace eichub::feed {

inline constexpr uint64_t kMaxFeedFileUpdates = 100'000'000;  // a sanity bound on count

// Writes updates (one author's, contiguous from seq 1 or from any seq) to path.
Status writeFeedFile(const std::string& path, const PublicKey& author, std::string_view network,
                     const std::vector<SignedUpdate>& updates);

struct FeedFileReport {
  PublicKey author{};
  std::string network;
  uint64_t count = 0;      // updates that verified
  uint64_t first_seq = 0;  // seq of the first update in the file
  Head head;               // head after the last verified update
  Status error;            // OK, or what is wrong with the first bad entry
  uint64_t bad_index = 0;  // 1-based position of the first bad entry when error is not OK
};

// Reads and checks every entry: framing, header, network, author, body binding, signature
// (every one) and chain links. Stops at the first bad entry and names it. Updates that
// verified are appended to updates when it is not null.
FeedFileReport verifyFeedFile(const std::string& path, std::vector<VerifiedUpdate>* updates);

}  // namespace eichub::feed
