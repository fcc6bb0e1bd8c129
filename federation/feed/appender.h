// FeedAppender: writes the next updates of one author's feed (sign, chain, bind the body).
// Each header's prev is the hash of the previous signed header, so updates are signed in order.
#pragma once

#include <string>
#include <vector>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/update.h"

namespace eichub::feed {

// Not thread-safe; one appender per feed writer. Borrows key, which must outlive it.
class FeedAppender {
 public:
  // head is the feed's current head (seq 0 for a new feed).
  FeedAppender(const crypto::SigningKey& key, std::string network, Head head);

  // Builds and signs the next update. time_ms is raised to the head's time if it is earlier,
  // so that time never decreases within a feed. body must be empty unless op is UPSERT;
  // erases names the earlier upserts of the record an ERASE drops (and is empty otherwise).
  VerifiedUpdate append(Op op, Kind kind, std::string id, std::vector<std::string> tags, Bytes body,
                        int64_t time_ms, std::vector<uint64_t> erases = {});

  // As above, from fields whose network, author, seq, prev and time this appender sets; the
  // caller sets op, kind, id, tags, erases and, for an upsert, body_hash and body_size of body.
  VerifiedUpdate append(HeaderFields fields, Bytes body, int64_t time_ms);

  const Head& head() const { return head_; }

 private:
  const crypto::SigningKey& key_;
  std::string network_;
  Head head_;
};

}  // namespace eichub::feed
