// Admission: which peers this node lets in, and the node trust that decides it (reactor thread
// only). It holds the configured peers (peers.toml), the ZAP handler's allow-list, the node
// trust and its refreshes, which the Writer thread runs (they restate feeds): one refresh in
// flight at a time. PeerLinks closes and opens links as admit() says.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "federation/transport/zap_handler.h"
#include "node/daemon/store_adapter.h"
#include "node/daemon/writer.h"
#include "node/home/home.h"
#include "node/home/peers.h"
#include "node/policy/node_trust.h"
#include "node/policy/staleness.h"

namespace eichub::daemon {

class Admission {
 public:
  // home, writer and storage must outlive the admission; zap is bound already.
  Admission(const home::Home& home, std::unique_ptr<transport::ZapHandler> zap, Writer& writer,
            StoreAdapter& storage);

  // Reads peers.toml: the configured peers, the trust config, trust.stale_after_hours. Errors:
  // home::loadPeers'; the previous peers then stay in force.
  Status loadPeers();
  // Asks the writer to rederive trust from the store's trust records and restate cut feeds
  // (RefreshTrust); onTrustRefreshed takes the answer. A request while one is in flight runs
  // once more after it (refreshIfAsked).
  void refreshTrust();
  bool refreshInFlight() const { return refresh_in_flight_; }
  // Refreshes handed to the writer since start (eichub_trust_refreshes_total).
  uint64_t refreshes() const { return refreshes_; }
  // Takes the writer's answer: the refreshed trust. Returns whether it changed (the engine
  // should pull again, and the peers be admitted again).
  bool onTrustRefreshed(TrustRefreshed refreshed);
  // Runs the refresh asked for while one was in flight.
  void refreshIfAsked();
  // Whether a fork proof froze a feed since the last refresh (its state goes back to the prefix
  // before the fork: trust is refreshed).
  bool frozenChanged() const { return storage_.frozen() != frozen_seen_; }

  // The configured peers whose node trust has not removed or revoked: ZAP lets their transport
  // keys in from now on. Logs each peer newly revoked.
  std::set<std::string> admit();
  // Whether a hello's node id may be that of the peer with transport key peer_key: its card's,
  // a key that node rotated to (peers keep the old id in their card), or an id this node knows
  // nothing of; never another peer's or another known author's.
  bool helloIdentityMatches(const std::string& peer_key, const PublicKey& node_id) const;
  // Trusted feeds stale at now_ms by this node's clock: a report, never a verdict.
  std::vector<policy::StaleFeed> staleFeeds(const store::CatalogStore& store, int64_t now_ms) const;

  // The configured peers by transport key.
  const std::map<std::string, home::PeerCard>& cards() const { return card_by_key_; }
  // The trust the sync engine judges by; replaced (same object) by each refresh.
  const policy::NodeTrust& trust() const { return trust_; }
  // Configured peers whose node trust removed or revoked (status: revoked_peers).
  const std::set<std::string>& revokedKeys() const { return revoked_keys_; }
  transport::ZapHandler& zap() { return *zap_; }
  const transport::ZapHandler& zap() const { return *zap_; }

 private:
  // Whether trust removed or revoked node_id, or a key it rotated to (not merely rotated).
  bool cutByTrust(const PublicKey& node_id) const;

  const home::Home& home_;
  std::unique_ptr<transport::ZapHandler> zap_;
  Writer& writer_;
  StoreAdapter& storage_;
  std::map<std::string, home::PeerCard> card_by_key_;
  policy::NodeTrust trust_;
  trust::TrustConfig trust_config_;
  int64_t stale_after_ms_ = 0;  // peers.toml trust.stale_after_hours; 0: silence not reported
  std::set<std::string> revoked_keys_;
  // Frozen feeds and their fork seqs when trust was last refreshed (an earlier fork point can
  // replace a later one).
  std::map<PublicKey, uint64_t> frozen_seen_;
  bool refresh_in_flight_ = false;  // a RefreshTrust the writer has not answered yet
  bool refresh_again_ = false;      // asked for while one was in flight
  uint64_t refreshes_ = 0;
};

}  // namespace eichub::daemon
