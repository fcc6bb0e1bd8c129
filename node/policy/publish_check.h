// The check `eichub publish --as <key>` makes before signing anything: every change must get
// the verdict a receiving node would give it, so a node never carries updates its peers refuse.
#pragma once

#include <cstdint>
#include <vector>

#include "federation/trust/trust_state.h"
#include "node/catalog/change.h"

namespace eichub::policy {

// Judges changes as the next updates of author's feed after head (its seq and bytes), signed at
// time_ms. Errors: PermissionDenied naming the first refused record, its reason and how many
// were refused, and when the changes would pass one of the author's quotas (updates, bytes),
// that quota and how much it leaves.
Status checkPublish(const trust::TrustState& state, const PublicKey& author, const feed::Head& head,
                    const std::vector<catalog::Change>& changes, int64_t time_ms);

}  // namespace eichub::policy
