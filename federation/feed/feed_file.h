// Feed export files: a self-contained, verifiable copy of one feed's signed updates.
// Layout: the 8-byte magic "EICHUBF1", then Cap'n Proto stream-framed messages: one
// FeedFileInfo, then `count` Update messages, oldest first.
#pragma once

#include <cstdint>
#include <functional>
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
  uint64_t count = 0;      // updates that verified (kChain: handed on in verified batches)
  uint64_t first_seq = 0;  // seq of the first update in the file
  Head head;               // head after the last verified update
  Status error;            // OK, or what is wrong with the first bad entry
  uint64_t bad_index = 0;  // 1-based position of the first bad entry when error is not OK
};

// How readFeedFile checks signatures: every one (an audit: `feed verify`), or as sync does, by
// the chain: every link and the last signature of each batch, which vouches for the rest.
enum class FeedFileCheck { kEverySignature, kChain };

// Updates handed to a FeedBatchFn at a time: what an import holds in memory and commits at once.
inline constexpr size_t kFeedFileBatchUpdates = 1024;

// Receives each batch of verified updates, in file order; a non-OK status stops the read and
// becomes the report's error (bad_index names the batch's first entry).
using FeedBatchFn = std::function<Status(std::vector<VerifiedUpdate> batch)>;

// Reads and checks the file entry by entry: framing, header, network, author, body binding,
// chain links and signatures (by check). Stops at the first bad entry and names it. Each batch
// of at most kFeedFileBatchUpdates is handed to on_batch (when set) once it has verified, so
// memory stays bounded by one batch whatever the file's size.
FeedFileReport readFeedFile(const std::string& path, FeedFileCheck check,
                            const FeedBatchFn& on_batch);

// readFeedFile with every signature checked; updates that verified are appended to updates when
// it is not null (small files: tests, `feed verify`).
FeedFileReport verifyFeedFile(const std::string& path, std::vector<VerifiedUpdate>* updates);

}  // namespace eichub::feed
