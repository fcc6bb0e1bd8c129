// Verification of received updates: header decode, body binding, signature, chain link.
#include "federation/feed/verify.h"

#include "federation/crypto/ed25519_key.h"
#include "federation/crypto/sha256.h"

namespace eichub::feed {

Result<VerifiedUpdate> verifyUpdate(SignedUpdate update, std::string_view network,
                                    SignatureCheck check) {
  EICHUB_ASSIGN_OR_RETURN(HeaderFields fields, decodeHeader(update.header));
  if (fields.network != network) return Status::InvalidArgument("update from another network");
  if (update.signature.size() != kSignatureBytes) {
    return Status::InvalidArgument("signature is not 64 bytes");
  }
  if (!fields.hasBody()) {
    if (!update.body.empty()) return Status::InvalidArgument("body on an update that has none");
  } else if (!update.body.empty()) {
    // An empty body is allowed: erased, or not fetched (selective sync).
    if (update.body.size() != fields.body_size) return Status::InvalidArgument("body size");
    if (crypto::sha256(update.body) != fields.body_hash) {
      return Status::InvalidArgument("body does not match its hash");
    }
  }
  if (check == SignatureCheck::kCheck) {
    EICHUB_RETURN_IF_ERROR(crypto::verifySignature(fields.author, update.header, update.signature));
  }
  VerifiedUpdate out;
  out.hash = signedHeaderHash(update.header, update.signature);
  out.fields = std::move(fields);
  out.signed_update = std::move(update);
  out.signature_checked = check == SignatureCheck::kCheck;
  return out;
}

Status checkLink(const Head& head, const HeaderFields& next) {
  if (next.seq != head.seq + 1) {
    return Status::InvalidArgument("seq " + std::to_string(next.seq) + " does not follow " +
                                   std::to_string(head.seq));
  }
  if (next.prev != head.hash) {
    return Status::InvalidArgument("seq " + std::to_string(next.seq) +
                                   " does not link to the previous header");
  }
  if (next.time_ms < head.time_ms) {
    return Status::InvalidArgument("seq " + std::to_string(next.seq) + " goes back in time");
  }
  return Status::OK();
}

Status checkRun(std::vector<VerifiedUpdate>& run) {
  if (run.empty()) return Status::OK();
  for (size_t i = 1; i < run.size(); ++i) {
    if (run[i].fields.author != run[0].fields.author) {
      return Status::InvalidArgument("a run mixes authors");
    }
    EICHUB_RETURN_IF_ERROR(checkLink(headAfter(run[i - 1]), run[i].fields));
  }
  const VerifiedUpdate& last = run.back();
  if (!last.signature_checked) {
    EICHUB_RETURN_IF_ERROR(crypto::verifySignature(last.fields.author, last.signed_update.header,
                                                   last.signed_update.signature));
  }
  for (VerifiedUpdate& update : run) update.signature_checked = true;
  return Status::OK();
}

Head headAfter(const VerifiedUpdate& update) {
  return Head{update.fields.seq, update.hash, update.fields.time_ms, 0};
}

Head headAfter(const Head& prev, const VerifiedUpdate& update) {
  return Head{update.fields.seq, update.hash, update.fields.time_ms,
              prev.bytes + update.fields.body_size};
}

}  // namespace eichub::feed
