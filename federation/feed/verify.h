// Verification of updates received from anyone: decode, bind body, check signature and link.
#pragma once

#include <string_view>
#include <vector>

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

// Checks a contiguous run of one author's updates, each decoded and bound to its body by
// verifyUpdate (usually with kDeferToChain): every update links to the one before it (checkLink),
// then the last update's signature is verified. Because prev hashes the previous signed header,
// that one signature vouches for every header and signature before it in the run (format 2,
// docs/architecture.md "Feed format 2"); on success every update is marked signature_checked. The
// run's first update is not checked against any head: the caller links it to what it holds. Errors:
// InvalidArgument (mixed authors, a broken link: a junk signature in the middle breaks the next
// link), PermissionDenied (the last signature is bad: the whole run is refused).
Status checkRun(std::vector<VerifiedUpdate>& run);

// The head after applying update, bytes left 0.
Head headAfter(const VerifiedUpdate& update);
// The head after applying update to prev (update follows prev): bytes carried on.
Head headAfter(const Head& prev, const VerifiedUpdate& update);

}  // namespace eichub::feed
