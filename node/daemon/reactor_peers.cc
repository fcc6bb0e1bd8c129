// Reactor: configured peers and their links, reloads of peers.toml and config.toml, trust.
#include <algorithm>

#include "node/daemon/reactor.h"
#include "node/daemon/subscription.h"
#include "node/log.h"
#include "node/policy/trust_inputs.h"

namespace eichub::daemon {

Status Reactor::loadPeers(bool wait_for_trust) {
  EICHUB_ASSIGN_OR_RETURN(home::PeerList peers, home::loadPeers(home_.dir()));
  trust_config_ = policy::trustConfig(home_, peers);
  stale_after_ms_ = int64_t{peers.stale_after_hours} * 3'600'000;
  card_by_key_.clear();
  for (const auto& peer : peers.peers) card_by_key_[peer.transport_public_z85] = peer;
  refreshTrust();
  // Start-up only: nothing else is in flight, and no peer is admitted before trust is known.
  while (wait_for_trust && trust_refresh_in_flight_) onWriterOutcome(writer_->receiveOutcome());
  admitPeers();
  engine_->trustChanged();
  return Status::OK();
}
void Reactor::admitPeers() {
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
  dropRemovedPeers(admitted);
  allowed_keys_ = admitted;
  std::set<std::string> connected;
  for (const auto& [id, client] : clients_) connected.insert(client.card.transport_public_z85);
  for (const auto& [key, card] : card_by_key_) {
    if (admitted.count(key) != 0 && connected.count(key) == 0) connectPeer(card);
  }
}
bool Reactor::cutByTrust(const PublicKey& node_id) const {
  for (const auto& [author, cut] : trust_.state().cuts()) {
    if (cut.cause == trust::CutCause::kRotated) continue;  // the node goes on under a new key
    if (author == node_id) return true;
    // A key the configured node rotated to, removed or revoked since.
    const trust::AuthorTrust* known = trust_.state().find(author);
    if (known != nullptr && known->identity == node_id) return true;
  }
  return false;
}
Status Reactor::reload(const std::string& trigger) {
  Status peers = loadPeers(false);
  auto loaded = config::loadOptions(home_.dir() + "/config.toml");
  ConfigDiff diff;
  Status config = loaded.status();
  if (loaded.ok()) {
    diff = diffOptions(running_, *loaded, endpoint_, http_->address(), !log_level_flag_.empty());
    config = applyConfig(diff, *loaded);
  }
  const Status& first_error = !peers.ok() ? peers : config;
  // A new level above info hides this line too: what the operator asked for.
  log::info(
      "event=reload trigger={} ok={} peers={} applied={} restart_needed={} peers_file={} "
      "config_file={}",
      trigger, peers.ok() && config.ok(), clients_.size(), joinKeys(diff.applied),
      joinKeys(diff.restart), peers.ok() ? "ok" : "\"" + peers.message() + "\"",
      config.ok() ? "ok" : "\"" + config.message() + "\"");
  return first_error;
}
Status Reactor::applyConfig(const ConfigDiff& diff, const config::Options& loaded) {
  for (const std::string& key : diff.applied) {
    if (key == kReloadSubscribe) {
      auto subscription = subscriptionOf(loaded, store());
      if (!subscription.ok()) return subscription.status().withContext("subscribe");
      engine_->setBodyFilter(subscription->bodyFilter());
      running_.subscribe_kinds = loaded.subscribe_kinds;
      running_.subscribe_sectors = loaded.subscribe_sectors;
      running_.subscribe_regions = loaded.subscribe_regions;
      running_.subscribe_skills = loaded.subscribe_skills;
    } else if (key == kReloadLogLevel) {
      log::setLevel(loaded.log_level);
      running_.log_level = loaded.log_level;
    } else if (key == kReloadApiToken) {
      http_->context().api_token.set(loaded.http_api_token);
      running_.http_api_token = loaded.http_api_token;
    }
  }
  return Status::OK();
}
void Reactor::refreshTrust() {
  if (trust_refresh_in_flight_) {
    trust_refresh_again_ = true;
    return;
  }
  frozen_seen_ = storage_->frozen();
  trust_refresh_in_flight_ = true;
  writer_->submit(RefreshTrust{trust_, trust_config_, storage_->frozen()});
}
void Reactor::onTrustRefreshed(TrustRefreshed refreshed) {
  trust_refresh_in_flight_ = false;
  trust_ = std::move(refreshed.trust);
  const Result<bool>& changed = refreshed.changed;
  if (!changed.ok()) {
    log::error("event=trust_refresh_failed err=\"{}\"", changed.status().message());
  } else if (*changed) {
    log::info("event=trust_changed authors={} cuts={}", trust_.state().authors().size(),
              trust_.state().cuts().size());
    engine_->trustChanged();
    admitPeers();  // a peer node removed or revoked loses its live sessions now
  }
  if (trust_refresh_again_) {
    trust_refresh_again_ = false;
    refreshTrust();
  }
}
void Reactor::dropRemovedPeers(const std::set<std::string>& keys) {
  for (const std::string& key : keys) removed_keys_.erase(key);  // added again
  for (auto it = clients_.begin(); it != clients_.end();) {
    const std::string& key = it->second.card.transport_public_z85;
    if (keys.count(key) != 0) {
      ++it;
      continue;
    }
    removed_keys_.insert(key);
    if (it->second.up) engine_->linkDown(it->first);
    log::info("event=peer_removed role=client peer={} endpoint={}", shortKey(key),
              it->second.card.endpoint);
    zmq_socket_monitor(it->second.socket.handle(), nullptr, 0);
    it = clients_.erase(it);  // closes our DEALER (linger 0): nothing more is read from it
  }
  for (auto it = server_by_key_.begin(); it != server_by_key_.end();) {
    if (keys.count(it->first) != 0) {
      ++it;
      continue;
    }
    // libzmq cannot close one peer's connection on a ROUTER: the session stays open, and
    // onRouterMessage drops what it sends from now on.
    removed_keys_.insert(it->first);
    engine_->linkDown(it->second);
    servers_.erase(it->second);
    log::info("event=peer_removed role=server peer={}", shortKey(it->first));
    it = server_by_key_.erase(it);
  }
}
bool Reactor::helloIdentityMatches(const std::string& peer_key, const PublicKey& node_id) const {
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
void Reactor::connectPeer(const home::PeerCard& card) {
  sync::LinkId id = next_client_link_++;
  ClientLink client{card, zmq::socket_t(), zmq::socket_t(), false, 0, 0};
  if (Status s = openClient(id, client); !s.ok()) {
    log::error("event=peer_connect_failed peer={} err=\"{}\"", card.endpoint, s.message());
    return;
  }
  clients_.emplace(id, std::move(client));
}
Status Reactor::openClient(sync::LinkId id, ClientLink& client) {
  // Monitor endpoints must be unique per socket, and a link may get several sockets.
  std::string monitor_endpoint =
      "inproc://monitor-" + std::to_string(id) + "-" + std::to_string(++monitor_generation_);
  zmq::socket_t monitor(context_, zmq::socket_type::pair);
  // The monitor is attached and its reader connected before the DEALER connects: events sent
  // while nobody reads the monitor are lost.
  auto socket = transport::connectDealer(
      context_, client.card.endpoint, client.card.transport_public_z85, keys_, limits_,
      [&](zmq::socket_t& dealer) {
        zmq_socket_monitor(dealer.handle(), monitor_endpoint.c_str(),
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
        monitor.set(zmq::sockopt::linger, 0);
        monitor.connect(monitor_endpoint);
      });
  if (!socket.ok()) return socket.status();
  if (client.socket) zmq_socket_monitor(client.socket.handle(), nullptr, 0);
  client.socket = std::move(socket).value();
  client.monitor = std::move(monitor);
  client.reconnect_at_ms = 0;
  return Status::OK();
}

}  // namespace eichub::daemon
