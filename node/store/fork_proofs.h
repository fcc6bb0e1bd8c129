// How the store keeps a fork proof: in its meta table under "fork:<author hex>", the proof's
// wire encoding as hex text. A kept proof freezes its author's feed: the daemon neither serves
// nor extends it (docs/reliability.md), and `eichub status` and `trust show` list it.
#pragma once

#include <cstdint>
#include <string>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/wire/messages.h"

namespace eichub::store {

// The meta key under which a fork proof of author is kept.
std::string forkMetaKey(const PublicKey& author);
// The meta value that keeps proof.
std::string encodeForkProof(const wire::ForkProof& proof);
// The proof a meta value keeps. Errors: Corruption (not hex, not a wire message, not a proof).
Result<wire::ForkProof> decodeForkProof(const std::string& meta_value);
// The seq a kept proof is about: 1 when it does not decode, which freezes the whole feed (the
// safe reading of a damaged value).
uint64_t forkSeq(const std::string& meta_value);

}  // namespace eichub::store
