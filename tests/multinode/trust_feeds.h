// FeedWriter: builds a signed feed in the test process, one update at a time (catalogue
// records or trust records), for raw peers to serve or push.
#pragma once

#include <string>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "federation/trust/trust_record.h"
#include "node/catalog/kinds.h"
#include "tests/multinode/raw_peer.h"

namespace eichub::testing {

class FeedWriter {
 public:
  // key must outlive the writer; times start at time_ms and grow by 1 per update.
  FeedWriter(const crypto::SigningKey& key, const std::string& network, int64_t time_ms);

  // Appends an upsert of a minimal record of kind (LearningResource or Skill) with id.
  const feed::SignedUpdate& record(catalog::Kind kind, const std::string& id);
  // Appends a trust record under its proper id.
  const feed::SignedUpdate& trustRecord(const trust::TrustRecord& record);
  // Sets the signed time of the next updates.
  void setTime(int64_t time_ms) { time_ms_ = time_ms; }

  const FeedUpdates& updates() const { return updates_; }
  PublicKey author() const { return key_.publicKey(); }

 private:
  const crypto::SigningKey& key_;
  feed::FeedAppender appender_;
  int64_t time_ms_;
  FeedUpdates updates_;
};

// A rotation record from old_key to new_key, signed by new_key as a rotation requires.
trust::Rotation rotation(const std::string& network, const crypto::SigningKey& old_key,
                         const crypto::SigningKey& new_key);

}  // namespace eichub::testing
