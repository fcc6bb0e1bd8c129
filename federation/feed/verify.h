// Verification of updates received from anyone: decode, bind body, check signature and link.
#pragma once

#include <string_view>

#include "federation/feed/update.h"

namespace eichub::feed {

enum class SignatureCheck { kCheck, kDeferToChain };

// Decodes the header (see decodeHeader), checks the network, the signature length, that the
// body matches body_size and body_hash (an erased or not-fetched body may be empty), and,
// with kCheck, the Ed25519 signature over the exact header bytes.
// Errors: InvalidArgument (malformed, wrong network, body mismatch), PermissionDenied (bad
// signature).
Result<VerifiedUpdate> verifyUpdate(SignedUpdate update, std::string_view network,
                                    SignatureCheck check = SignatureCheck::kCheck);

// Checks that next directly extends head: seq is head.seq+1, prev is head.hash (zero for
// seq 1) and time does not go back. Errors: InvalidArgument naming the broken link.
Status checkLink(const Head& head, const HeaderFields& next);

// The head after applying update.
Head headAfter(const VerifiedUpdate& update);

}  // namespace eichub::feed
