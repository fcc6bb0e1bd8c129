// Staleness (freeze protection, as TUF's expiring metadata): which trusted feeds look frozen
// by this node's clock. A report for operators and metrics, computed when asked; verdicts
// never read it, so digests stay equal across nodes with skewed clocks.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "federation/trust/trust_state.h"
#include "node/store/catalog_store.h"

namespace eichub::policy {

// Why a feed is reported stale: short, stable, used in JSON.
namespace stale {
inline constexpr std::string_view kExpired = "expired";  // its author's signed expiry passed
inline constexpr std::string_view kDelegationExpired = "delegation_expired";  // vendor scope
inline constexpr std::string_view kSilent = "silent";  // newest signed time older than the window
}  // namespace stale

struct StaleFeed {
  PublicKey author{};
  trust::Role role = trust::Role::kDirect;
  std::string_view reason;  // one of stale::*
  int64_t since_ms = 0;     // the expiry, or the newest signed time held
};

// The trusted authors whose feeds are stale at now_ms, in author order, one reason each (the
// first of expired, delegation_expired, silent). silent needs stale_after_ms > 0 and a feed
// held. Authors with a cut (removed, revoked, rotated) are left out: their feeds end by design
// and are reported as cuts.
std::vector<StaleFeed> staleFeeds(const trust::TrustState& state,
                                  const std::vector<store::FeedInfo>& feeds, int64_t now_ms,
                                  int64_t stale_after_ms);

}  // namespace eichub::policy
