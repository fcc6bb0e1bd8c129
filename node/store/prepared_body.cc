// BodyPreparer: the compression and index terms storeUpdate would compute, copied out of the
// compressor's buffer and the body's message so that they outlive both.
#include "node/store/prepared_body.h"

#include "node/store/internal/body_codec.h"
#include "node/store/internal/record_body.h"

namespace eichub::store {

BodyPreparer::BodyPreparer() : compressor_(std::make_unique<internal::BodyCompressor>()) {}
BodyPreparer::~BodyPreparer() = default;

PreparedBody BodyPreparer::prepare(ByteView body, const Hash32& body_hash) {
  PreparedBody prepared;
  prepared.body_hash = body_hash;
  const internal::StoredBody stored = compressor_->compress(body);
  if (stored.codec == internal::BodyCodec::kZstd) {
    prepared.stored.assign(stored.bytes.begin(), stored.bytes.end());
  }
  if (auto texts = internal::bodyTexts(body); texts.ok()) {
    prepared.indexed = true;
    prepared.terms = search::indexTerms(texts->texts);
    prepared.skills.assign(texts->texts.skills.begin(), texts->texts.skills.end());
  }
  return prepared;
}

}  // namespace eichub::store
