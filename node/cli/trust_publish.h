// Helpers of the trust commands: publishing one trust record in the home's own feed, reading
// keys given as ids or cards, and parsing dates and kinds given on the command line.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "federation/trust/trust_record.h"
#include "node/catalog/kinds.h"
#include "node/home/home.h"

namespace eichub::cli {

// Signs record with key (the home's node key, or a vendor key it carries), stores it in that
// key's feed in the home's store and tells a running daemon. Returns the seq it got. Errors: from
// the store.
Result<uint64_t> publishTrustRecord(home::Home& home, const crypto::SigningKey& key,
                                    const trust::TrustRecord& record);

// A key given as 64 hex digits or as a peer card (its node id).
Result<PublicKey> parseKeyOrCard(std::string_view text);

// "2027-12-31" -> the last millisecond of that day, UTC. Errors: InvalidArgument.
Result<int64_t> parseExpiry(std::string_view date);

// "LearningResource,Provider" -> sorted, distinct kinds. Errors: InvalidArgument.
Result<std::vector<feed::KindCode>> parseKinds(std::string_view list);

}  // namespace eichub::cli
