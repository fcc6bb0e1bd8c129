// Fuzz target: a sync message from a peer (federation/wire decode), then the checks the sync
// engine runs before any signature: header decoding and body binding of every update.
// Property: whatever decodes re-encodes to bytes that decode to the same message.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "federation/common/check.h"
#include "federation/feed/verify.h"
#include "federation/wire/messages.h"

namespace {

using namespace eichub;

// Signatures are the signed_update target's business; here the cheap checks run on every
// update of a batch, as they do on receipt.
void checkUpdates(const std::vector<feed::SignedUpdate>& updates) {
  for (const feed::SignedUpdate& update : updates) {
    auto verified = feed::verifyUpdate(update, "fuzz-net", feed::SignatureCheck::kDeferToChain);
    if (verified.ok()) {
      EICHUB_CHECK(verified->fields.seq > 0);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = wire::decode(ByteView(data, size));
  if (!decoded.ok()) {
    EICHUB_CHECK(decoded.status().code() == Status::Code::kInvalidArgument)
        << decoded.status().toString();
    return 0;
  }
  EICHUB_CHECK(wire::messageName(*decoded) != nullptr);
  if (const auto* updates = std::get_if<wire::Updates>(&*decoded)) checkUpdates(updates->updates);
  if (const auto* fork = std::get_if<wire::ForkProof>(&*decoded)) {
    checkUpdates({fork->first, fork->second});
  }

  const Bytes encoded = wire::encode(*decoded);
  auto again = wire::decode(encoded);
  EICHUB_CHECK(again.ok()) << "re-encoded message does not decode: " << again.status().toString();
  EICHUB_CHECK(wire::encode(*again) == encoded) << "decode/encode is not stable";
  return 0;
}
