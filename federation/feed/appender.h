// FeedAppender: writes the next updates of one author's feed (sign, chain, bind the body).
// Each header's prev is the hash of the previous signed header, so updates are signed in order;
// FeedPreparer encodes them ahead, so that only signing and hashing wait for that order.
#pragma once

#include <string>
#include <vector>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/update.h"

namespace eichub::feed {

// An update ready to be signed: every header field but prev, which the appender writes in place.
struct PreparedUpdate {
  HeaderFields fields;  // prev zero until appended
  UnchainedHeader header;
  Bytes body;
};

// Prepares the updates that follow a head ahead of their signatures, on a thread other than
// the appender's if need be. Not thread-safe; one preparer per feed writer.
class FeedPreparer {
 public:
  // head is the feed's current head (seq 0 for a new feed); its hash is not needed.
  FeedPreparer(const PublicKey& author, std::string network, const Head& head);

  // The next update: sets network, author, seq and time of fields (time_ms raised to the last
  // prepared time if it is earlier, so that time never decreases within a feed) and encodes
  // the header. The caller sets op, kind, id, tags, erases and, for an upsert, body_hash and
  // body_size of body. Prepared updates go to FeedAppender::append in the order prepared.
  PreparedUpdate prepare(HeaderFields fields, Bytes body, int64_t time_ms);

 private:
  PublicKey author_;
  std::string network_;
  uint64_t last_seq_;
  int64_t last_time_ms_;
};

// Not thread-safe; one appender per feed writer. Borrows key, which must outlive it.
class FeedAppender {
 public:
  // head is the feed's current head (seq 0 for a new feed).
  FeedAppender(const crypto::SigningKey& key, std::string network, Head head);

  // Builds and signs the next update. time_ms is raised to the head's time if it is earlier,
  // so that time never decreases within a feed. body must be empty unless op is UPSERT;
  // erases names the earlier upserts of the record an ERASE drops (and is empty otherwise).
  VerifiedUpdate append(Op op, KindCode kind, std::string id, std::vector<std::string> tags,
                        Bytes body, int64_t time_ms, std::vector<uint64_t> erases = {});

  // As above, from fields whose network, author, seq, prev and time this appender sets; the
  // caller sets op, kind, id, tags, erases and, for an upsert, body_hash and body_size of body.
  VerifiedUpdate append(HeaderFields fields, Bytes body, int64_t time_ms);

  // Chains, signs and hashes an update prepared from this feed's head (by a FeedPreparer of
  // the same author and network): it must be the next one (checked: a broken invariant).
  VerifiedUpdate append(PreparedUpdate prepared);

  const Head& head() const { return head_; }

 private:
  const crypto::SigningKey& key_;
  std::string network_;
  Head head_;
};

}  // namespace eichub::feed
