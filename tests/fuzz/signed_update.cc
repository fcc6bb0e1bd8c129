// Fuzz target: one update as a peer or a feed file hands it over: header bytes, signature and
// body (three parts, see fuzz_input.h). Runs header decoding, full verification (body binding,
// Ed25519 signature) and the body check against the record schema.
// Properties: a header that decodes is the canonical encoding of its fields (one header, one
// id); a body that passes checkBody is its own canonical encoding.
#include <cstddef>
#include <cstdint>

#include "federation/common/check.h"
#include "federation/feed/verify.h"
#include "node/catalog/change.h"
#include "tests/fuzz/fuzz_input.h"

using namespace eichub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::splitParts(fuzz::asText(data, size), 3);
  feed::SignedUpdate update{Bytes(asBytes(parts[0]).begin(), asBytes(parts[0]).end()),
                            Bytes(asBytes(parts[1]).begin(), asBytes(parts[1]).end()),
                            Bytes(asBytes(parts[2]).begin(), asBytes(parts[2]).end()),
                            {}};

  auto fields = feed::decodeHeader(update.header);
  if (fields.ok()) {
    EICHUB_CHECK(feed::encodeHeader(*fields) == update.header)
        << "a header that decodes is not the canonical encoding of its fields";
  }

  auto body = catalog::checkBody(update.body);
  if (body.ok()) {
    EICHUB_CHECK(body->body == update.body) << "an accepted body is not canonical";
  }

  auto verified = feed::verifyUpdate(update, "fuzz-net", feed::SignatureCheck::kCheck);
  if (!verified.ok()) return 0;
  EICHUB_CHECK(fields.ok()) << "verified an update whose header does not decode";
  if (verified->fields.seq == 1 && verified->fields.time_ms >= 0) {
    EICHUB_CHECK(feed::checkLink(feed::Head{}, verified->fields).ok()) << "seq 1 does not start";
  }
  Status checked = catalog::checkUpdateBody(*verified);
  if (checked.ok() && !update.body.empty()) {
    EICHUB_CHECK(body.ok());
  }
  return 0;
}
