// Staleness report: signed expiries, vendor scopes and feed silence against the local clock.
#include "node/policy/staleness.h"

#include <map>

namespace eichub::policy {

std::vector<StaleFeed> staleFeeds(const trust::TrustState& state,
                                  const std::vector<store::FeedInfo>& feeds, int64_t now_ms,
                                  int64_t stale_after_ms) {
  std::map<PublicKey, int64_t> newest_ms;
  for (const store::FeedInfo& feed : feeds) newest_ms[feed.author] = feed.head.time_ms;
  std::vector<StaleFeed> out;
  for (const auto& [author, entry] : state.authors()) {
    if (state.cuts().count(author) != 0) continue;
    StaleFeed item{author, entry.role, {}, 0};
    auto expiry = state.expiries().find(author);
    auto newest = newest_ms.find(author);
    if (expiry != state.expiries().end() && expiry->second < now_ms) {
      item.reason = stale::kExpired;
      item.since_ms = expiry->second;
    } else if (entry.role == trust::Role::kVendor && entry.scope.expires_ms != 0 &&
               entry.scope.expires_ms < now_ms) {
      item.reason = stale::kDelegationExpired;
      item.since_ms = entry.scope.expires_ms;
    } else if (stale_after_ms > 0 && newest != newest_ms.end() &&
               newest->second < now_ms - stale_after_ms) {
      item.reason = stale::kSilent;
      item.since_ms = newest->second;
    } else {
      continue;
    }
    out.push_back(item);
  }
  return out;
}

}  // namespace eichub::policy
