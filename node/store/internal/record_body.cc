// Reads record bodies for indexing: aligned copy, explicit reader limits, exceptions caught.
// This is the one place in node/store where kj::Exception can arise.
#include "node/store/internal/record_body.h"

#include <kj/exception.h>

#include "federation/common/capnp_read.h"
#include "schemas/catalog.capnp.h"

namespace eichub::store::internal {

Result<BodyTexts> bodyTexts(ByteView body) {
  if (body.empty()) return Status::InvalidArgument("record body", "empty");
  if (body.size() > feed::kMaxBodyBytes) return Status::InvalidArgument("record body", "too large");
  capnp::ReaderOptions options;
  options.traversalLimitInWords = kBodyTraversalLimitWords;
  options.nestingLimit = kBodyNestingLimit;
  // A canonical body is one segment with no segment table (capnp::canonicalize), which is why
  // this is a SegmentArrayMessageReader and not a FlatArrayMessageReader.
  EICHUB_ASSIGN_OR_RETURN(auto message, SegmentMessage::open(body, options));
  try {
    EICHUB_ASSIGN_OR_RETURN(search::RecordTexts texts,
                            search::recordTexts(message->reader().getRoot<schema::Record>()));
    return BodyTexts{std::move(message), std::move(texts)};
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("record body", e.getDescription().cStr());
  }
}

}  // namespace eichub::store::internal
