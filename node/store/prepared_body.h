// PreparedBody: the part of storing an upsert's body that needs no write transaction, done ahead
// of apply. Compressing the body (body_codec.h) and deriving its index terms are about 60% of
// storing an ESCO record's CPU. A publish signs on one thread and stores on another, and the
// signer sets its pace; when the last updates were stored only after their signatures, the
// costliest records (ESCO's occupations, last in the file) made storing lag the signer at the end
// of an import. The publisher prepares each body when it drafts the update, while the signer
// still has chunks to sign, so that what is left after the last signature is mostly LMDB writes
// (node/publish/publisher.cc; docs/benchmarks.md "Publish rate").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "federation/common/bytes.h"
#include "node/search/record_terms.h"

namespace eichub::store {

namespace internal {
class BodyCompressor;
}  // namespace internal

struct PreparedBody {
  // Of the body it was prepared from: apply uses it only for an update with this body hash and
  // its body, and does the work itself otherwise.
  Hash32 body_hash{};
  Bytes stored;  // the zstd frame when compressed; else empty, and the body is stored as signed
  bool compressed() const { return !stored.empty(); }
  bool indexed = false;  // the body reads as a record: its terms and skills follow
  std::vector<search::Term> terms;
  std::vector<std::string> skills;
};

// Not thread-safe: one per preparing thread (it reuses a compression context).
class BodyPreparer {
 public:
  BodyPreparer();
  ~BodyPreparer();
  BodyPreparer(const BodyPreparer&) = delete;
  BodyPreparer& operator=(const BodyPreparer&) = delete;

  // body_hash: SHA-256 of body, as the update's header names it.
  PreparedBody prepare(ByteView body, const Hash32& body_hash);

 private:
  std::unique_ptr<internal::BodyCompressor> compressor_;
};

}  // namespace eichub::store
