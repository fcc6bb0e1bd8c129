// Admission: peers.toml, the ZAP allow-list, hello identities and trust refreshes.
#include "node/daemon/admission.h"

#include "node/daemon/reactor_common.h"
#include "node/log.h"
#include "node/policy/trust_inputs.h"

namespace eichub::daemon {

Admission::Admission(const home::Home& home, std::unique_ptr<transport::ZapHandler> zap,
                     Writer& writer, StoreAdapter& storage)
    : home_(home), zap_(std::move(zap)), writer_(writer), storage_(storage) {}

Status Admission::loadPeers() {
  EICHUB_ASSIGN_OR_RETURN(home::PeerList peers, home::loadPeers(home_.dir()));
  trust_config_ = policy::trustConfig(home_, peers);
  stale_after_ms_ = int64_t{peers.stale_after_hours} * 3'600'000;
  card_by_key_.clear();
  for (const auto& peer : peers.peers) card_by_key_[peer.transport_public_z85] = peer;
  return Status::OK();
}

void Admission::refreshTrust() {
  if (refresh_in_flight_) {
    refresh_again_ = true;
    return;
  }
  frozen_seen_ = storage_.frozen();
  refresh_in_flight_ = true;
  ++refreshes_;
  writer_.submit(RefreshTrust{trust_, trust_config_, storage_.frozen()});
}

bool Admission::onTrustRefreshed(TrustRefreshed refreshed) {
  refresh_in_flight_ = false;
  trust_ = std::move(refreshed.trust);
  const Result<bool>& changed = refreshed.changed;
  if (!changed.ok()) {
    log::error("event=trust_refresh_failed err=\"{}\"", changed.status().message());
    return false;
  }
  if (*changed) {
    log::info("event=trust_changed authors={} cuts={}", trust_.state().authors().size(),
              trust_.state().cuts().size());
  }
  return *changed;
}

void Admission::refreshIfAsked() {
  if (!refresh_again_) return;
  refresh_again_ = false;
  refreshTrust();
}

std::set<std::string> Admission::admit() {
  std::set<std::string> admitted;
  for (const auto& [key, card] : card_by_key_) {
    if (!cutByTrust(card.node_id)) {
      revoked_keys_.erase(key);
      admitted.insert(key);
    } else if (revoked_keys_.insert(key).second) {
      log::warn("event=peer_revoked peer={} node={} endpoint={}", shortKey(key),
                toHex(card.node_id), card.endpoint);
    }
  }
  zap_->setAllowedKeys(admitted);
  return admitted;
}

bool Admission::cutByTrust(const PublicKey& node_id) const {
  for (const auto& [author, cut] : trust_.state().cuts()) {
    if (cut.cause == trust::CutCause::kRotated) continue;  // the node goes on under a new key
    if (author == node_id) return true;
    // A key the configured node rotated to, removed or revoked since.
    const trust::AuthorTrust* known = trust_.state().find(author);
    if (known != nullptr && known->identity == node_id) return true;
  }
  return false;
}

bool Admission::helloIdentityMatches(const std::string& peer_key, const PublicKey& node_id) const {
  auto card = card_by_key_.find(peer_key);
  if (card == card_by_key_.end()) return false;
  const PublicKey& configured = card->second.node_id;
  if (node_id == configured) return true;
  for (const auto& [key, other] : card_by_key_) {
    if (other.node_id == node_id) return false;  // B says it is C, another peer
  }
  const trust::AuthorTrust* claimed = trust_.state().find(node_id);
  // An id this node knows nothing of yet, such as a key the peer rotated to while its rotation
  // record has not arrived: let it say hello, or it could never bring that record. The
  // session's identity is its transport key either way; the claim is never used.
  if (claimed == nullptr) return true;
  // A known author: only the configured node itself, through its rotations.
  const trust::AuthorTrust* known = trust_.state().find(configured);
  return claimed->identity == configured ||
         (known != nullptr && known->identity == claimed->identity);
}

std::vector<policy::StaleFeed> Admission::staleFeeds(const store::CatalogStore& store,
                                                     int64_t now_ms) const {
  auto feeds = store.queries().feeds();
  if (!feeds.ok()) return {};  // a report only: the next tick tries again
  return policy::staleFeeds(trust_.state(), *feeds, now_ms, stale_after_ms_);
}

}  // namespace eichub::daemon
