// The daemon's reactor: peer sockets, ZAP, control channel and signals in one poll loop.
#include "node/daemon/daemon.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.hpp>

#include "federation/sync/sync_engine.h"
#include "federation/transport/sockets.h"
#include "federation/transport/zap_handler.h"
#include "node/daemon/reload.h"
#include "node/daemon/snapshot_fill.h"
#include "node/daemon/store_adapter.h"
#include "node/daemon/subscription.h"
#include "node/daemon/writer.h"
#include "node/home/peers.h"
#include "node/http/http_server.h"
#include "node/log.h"
#include "node/policy/node_trust.h"
#include "node/policy/staleness.h"
#include "node/policy/trust_inputs.h"
#include "node/publish/publisher.h"

namespace eichub::daemon {

namespace {

constexpr int kTickMs = 100;  // periodic work: new local heads, idle links
// Reader slots of CLI processes killed inside a read txn are freed this often (SECURITY.md 39).
constexpr int64_t kReaderCheckMs = 60'000;
constexpr sync::LinkId kFirstServerLink = 1'000'000;
// A handshake the peer refused (it has not added us yet, say) is retried on a fresh socket:
// libzmq does not reconnect after an authentication failure.
constexpr int64_t kFirstRetryMs = 500;
constexpr int64_t kRejectLogIntervalMs = 10'000;  // rejection log lines per link and reason
constexpr int64_t kMaxRetryMs = 30'000;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string shortKey(const std::string& z85) { return z85.substr(0, 8); }

// One configured peer: our DEALER to its ROUTER and the monitor of that DEALER.
struct ClientLink {
  home::PeerCard card;
  zmq::socket_t socket;
  zmq::socket_t monitor;
  bool up = false;
  int64_t reconnect_at_ms = 0;  // set after a refused handshake: recreate the socket then
  int64_t backoff_ms = 0;
};

// A peer's DEALER connected to our ROUTER, known by its authenticated CURVE key.
struct ServerLink {
  std::string routing_id;
  std::string peer_key;
  int64_t last_seen_ms = 0;
};

class Reactor {
 public:
  Reactor(home::Home& home, zmq::context_t& context, std::string log_level_flag)
      : home_(home),
        context_(context),
        running_(home.options()),
        log_level_flag_(std::move(log_level_flag)) {}

  Status start();
  Status run(int signal_fd);

 private:
  Status loadPeers();
  // Re-reads peers.toml and config.toml, applies what can change while running and logs one
  // line saying what changed and what needs a restart. trigger: "HUP" or "control".
  Status reload(const std::string& trigger);
  // Applies the reloadable keys of diff from loaded. Errors: the subscription's.
  Status applyConfig(const ConfigDiff& diff, const config::Options& loaded);
  void connectPeer(const home::PeerCard& card);
  // Closes the links of peers no longer configured (SECURITY.md case 25): ZAP judges only new
  // sessions, so a removed peer's live ones end here, the moment the config changes.
  void dropRemovedPeers(const std::set<std::string>& keys);
  // Whether a hello's node id may be that of the peer with transport key peer_key: its card's,
  // a key that node rotated to (peers keep the old id in their card), or an id this node knows
  // nothing of; never another peer's or another known author's.
  bool helloIdentityMatches(const std::string& peer_key, const PublicKey& node_id) const;
  // Creates (or recreates) the DEALER and its monitor of client link id.
  Status openClient(sync::LinkId id, ClientLink& client);
  void send(sync::LinkId link, Bytes bytes);
  void onRouterMessage();
  void onClientMessage(sync::LinkId link, ClientLink& client);
  void onMonitorEvent(sync::LinkId link, ClientLink& client);
  void onControl();
  void tick();
  // Frees the LMDB reader slots of dead processes (see kReaderCheckMs).
  void clearStaleReaders(int64_t now);
  // Copies what the HTTP threads may show (links, feeds, counters) to the snapshot board.
  void publishSnapshot();
  Status startHttp();
  // Hands received bytes to the engine and times it for the metrics.
  void receive(sync::LinkId link, const zmq::message_t& payload);
  // Rederives trust from the store's trust records and restates cut feeds; pulls again when
  // trust changed (an admission may make announced feeds acceptable).
  void refreshTrust();
  // Logs a rejection, at most once per link and reason per kRejectLogIntervalMs.
  void logReject(sync::LinkId link, const std::string& reason);
  nlohmann::json statusJson();
  // Trusted feeds stale at now_ms by this node's clock: a report, never a verdict.
  std::vector<policy::StaleFeed> staleFeeds(int64_t now_ms);
  void writeRunFile();

  home::Home& home_;
  zmq::context_t& context_;
  config::Options running_;     // the options in force: the home's, plus what reloads applied
  std::string log_level_flag_;  // --log-level: outranks config.toml
  transport::CurveKeyPair keys_;
  transport::SocketLimits limits_;
  std::unique_ptr<transport::ZapHandler> zap_;
  zmq::socket_t router_;
  std::string endpoint_;
  zmq::socket_t control_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<StoreAdapter> storage_;
  policy::NodeTrust trust_;
  trust::TrustConfig trust_config_;
  int64_t stale_after_ms_ = 0;  // peers.toml trust.stale_after_hours; 0: silence not reported
  std::unique_ptr<sync::SyncEngine> engine_;
  std::map<sync::LinkId, ClientLink> clients_;
  std::map<sync::LinkId, ServerLink> servers_;
  // Server links live as long as the daemon: they are bounded by the configured peers, and a
  // peer that reconnects takes its link over (ROUTER_HANDOVER) with a new hello.
  std::map<std::string, sync::LinkId> server_by_key_;
  std::set<std::string> allowed_keys_;
  sync::LinkId next_server_link_ = kFirstServerLink;
  sync::LinkId next_client_link_ = 1;  // client ids are never reused: a removed link's id is gone
  // Transport keys removed from peers.toml while running, and the messages their still-open
  // sessions sent afterwards, dropped unread (status: removed_peer_messages_dropped).
  std::set<std::string> removed_keys_;
  uint64_t removed_peer_messages_ = 0;
  uint64_t dropped_sends_ = 0;
  uint64_t monitor_generation_ = 0;
  std::map<std::pair<sync::LinkId, std::string>, int64_t> reject_logged_ms_;
  std::map<PublicKey, uint64_t> own_heads_seen_;
  std::map<std::string, home::PeerCard> card_by_key_;  // configured peers by transport key
  uint64_t batches_applied_ = 0;
  uint64_t batches_failed_ = 0;
  uint64_t snapshot_tick_ = 0;
  int64_t snapshot_ms_ = 0;
  int64_t reader_check_ms_ = 0;
  // Shared with the HTTP threads (which outlive none of them: http_ is destroyed first).
  http::SnapshotBoard board_;
  http::Metrics metrics_;
  std::mutex publish_mu_;  // one HTTP publish at a time: one LMDB writer beside the Writer's
  std::unique_ptr<http::HttpServer> http_;
  // Frozen feeds and their fork seqs when trust was last refreshed (an earlier fork point can
  // replace a later one).
  std::map<PublicKey, uint64_t> frozen_seen_;
};

Status Reactor::start() {
  auto zap = transport::ZapHandler::bind(context_);
  if (!zap.ok()) {
    return Status::Unavailable(
        "refusing to start: the ZAP handler could not be installed, and "
        "a CURVE server without one admits anyone",
        zap.status().message());
  }
  zap_ = std::move(zap).value();
  auto keys = transport::curveKeyPairFromSecret(home_.transportKeys().secret_z85);
  if (!keys.ok()) return keys.status();
  keys_ = *keys;
  auto router = transport::bindRouter(context_, home_.options().listen, keys_, limits_);
  if (!router.ok()) return router.status().withContext("cannot listen");
  router_ = std::move(router->socket);
  endpoint_ = router->endpoint;

  control_ = zmq::socket_t(context_, zmq::socket_type::rep);
  control_.set(zmq::sockopt::linger, 0);
  control_.set(zmq::sockopt::maxmsgsize, int64_t{4096});
  std::remove((home_.dir() + "/daemon.sock").c_str());
  try {
    control_.bind(controlEndpoint(home_.dir()));
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("cannot bind the control socket", e.what());
  }

  writer_ = std::make_unique<Writer>(context_, home_.store(), toHex(home_.nodeKey().publicKey()));
  storage_ = std::make_unique<StoreAdapter>(home_.store(), *writer_);
  sync::SyncOptions options;
  options.network = home_.options().network;
  options.node_id = home_.nodeKey().publicKey();
  auto subscription = subscriptionOf(running_, home_.store());
  if (!subscription.ok()) return subscription.status().withContext("subscribe");
  options.subscription = std::move(subscription).value();
  options.identity_matches = [this](const std::string& peer_key, const PublicKey& node_id) {
    return helloIdentityMatches(peer_key, node_id);
  };
  engine_ = std::make_unique<sync::SyncEngine>(
      options, *storage_, trust_,
      [this](sync::LinkId link, Bytes bytes) { send(link, std::move(bytes)); }, nowMs,
      [this](sync::LinkId link, const std::string& reason) { logReject(link, reason); },
      [](const std::string& fields) { log::info("{}", fields); });
  EICHUB_RETURN_IF_ERROR(loadPeers());
  publishSnapshot();
  EICHUB_RETURN_IF_ERROR(startHttp());
  writeRunFile();
  log::info("event=start node={} endpoint={} http={} peers={}", toHex(home_.nodeKey().publicKey()),
            endpoint_, http_->address(), clients_.size());
  return Status::OK();
}

Status Reactor::startHttp() {
  const config::Options& options = home_.options();
  home::PeerCard card = home_.peerCard();
  card.endpoint = endpoint_;  // the bound one, when the config says port *
  http::NodeInfo info{home_.nodeKey().publicKey(),
                      toHex(home_.nodeKey().publicKey()),
                      options.name,
                      options.region,
                      options.sectors,
                      options.contact,
                      options.network,
                      home::formatPeerCard(card)};
  // Publishing from HTTP is what `eichub publish` does from another process: sign and store in
  // the node's own feed; tick() then announces the new head.
  http::PublishFn publish = [this](const std::vector<catalog::Change>& changes) {
    std::lock_guard lock(publish_mu_);
    return publish::publishChanges(home_.store(), home_.nodeKey(), home_.options().network,
                                   changes);
  };
  auto context = std::make_unique<http::ApiContext>(
      home_.store(), board_, metrics_, std::move(info), options.http_api_token, std::move(publish));
  auto server = http::HttpServer::start(options.http_listen, std::move(context));
  if (!server.ok()) return server.status().withContext("set http.listen to a free host:port");
  http_ = std::move(server).value();
  return Status::OK();
}

void Reactor::publishSnapshot() {
  http::NodeSnapshot snapshot;
  snapshot.taken_ms = snapshot_ms_ = nowMs();
  snapshot.tick = ++snapshot_tick_;
  snapshot.listening = !endpoint_.empty();
  snapshot.catching_up = engine_->catchingUp();
  snapshot.pending_updates = engine_->pendingUpdates();
  snapshot.zap_admitted = zap_->admitted();
  snapshot.zap_refused = zap_->refused();
  snapshot.dropped_sends = dropped_sends_;
  snapshot.batches_applied = batches_applied_;
  snapshot.batches_failed = batches_failed_;
  snapshot.endpoint = endpoint_;
  fillLinks(*engine_, card_by_key_, snapshot);
  fillOrigins(trust_.state(), home_.nodeKey().publicKey(), running_, snapshot);
  if (auto states = engine_->feedStates(); states.ok()) {
    for (const sync::FeedSyncState& state : *states) {
      snapshot.feeds.push_back({toHex(state.author), state.local_seq, state.best_remote_seq,
                                storage_->isFrozen(state.author), state.stale});
    }
  }
  for (const policy::StaleFeed& feed : staleFeeds(snapshot.taken_ms)) {
    snapshot.stale.push_back({toHex(feed.author), std::string(trust::roleName(feed.role)),
                              std::string(feed.reason), feed.since_ms});
  }
  board_.publish(std::move(snapshot));
}

std::vector<policy::StaleFeed> Reactor::staleFeeds(int64_t now_ms) {
  auto feeds = home_.store().feeds();
  if (!feeds.ok()) return {};  // a report only: the next tick tries again
  return policy::staleFeeds(trust_.state(), *feeds, now_ms, stale_after_ms_);
}

void Reactor::receive(sync::LinkId link, const zmq::message_t& payload) {
  auto start = std::chrono::steady_clock::now();
  engine_->receive(link, ByteView(static_cast<const uint8_t*>(payload.data()), payload.size()));
  metrics_.observeReceive(secondsSince(start));
}

Status Reactor::loadPeers() {
  EICHUB_ASSIGN_OR_RETURN(home::PeerList peers, home::loadPeers(home_.dir()));
  trust_config_ = policy::trustConfig(home_, peers);
  stale_after_ms_ = int64_t{peers.stale_after_hours} * 3'600'000;
  std::set<std::string> keys;
  for (const auto& peer : peers.peers) keys.insert(peer.transport_public_z85);
  zap_->setAllowedKeys(keys);
  dropRemovedPeers(keys);
  allowed_keys_ = keys;
  card_by_key_.clear();
  for (const auto& peer : peers.peers) card_by_key_[peer.transport_public_z85] = peer;
  std::set<std::string> connected;
  for (const auto& [id, client] : clients_) connected.insert(client.card.transport_public_z85);
  for (const auto& peer : peers.peers) {
    if (connected.count(peer.transport_public_z85) == 0) connectPeer(peer);
  }
  refreshTrust();
  engine_->trustChanged();
  return Status::OK();
}

Status Reactor::reload(const std::string& trigger) {
  Status peers = loadPeers();
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
      auto subscription = subscriptionOf(loaded, home_.store());
      if (!subscription.ok()) return subscription.status().withContext("subscribe");
      engine_->setSubscription(std::move(subscription).value());
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
  frozen_seen_ = storage_->frozen();
  auto changed = trust_.refresh(home_.store(), trust_config_, storage_->frozen());
  if (!changed.ok()) {
    log::error("event=trust_refresh_failed err=\"{}\"", changed.status().message());
    return;
  }
  if (*changed) {
    log::info("event=trust_changed authors={} cuts={}", trust_.state().authors().size(),
              trust_.state().cuts().size());
    engine_->trustChanged();
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

void Reactor::send(sync::LinkId link, Bytes bytes) {
  zmq::message_t payload(bytes.data(), bytes.size());
  if (auto client = clients_.find(link); client != clients_.end()) {
    if (!client->second.socket.send(payload, zmq::send_flags::dontwait)) ++dropped_sends_;
    return;
  }
  if (auto server = servers_.find(link); server != servers_.end()) {
    const std::string& routing_id = server->second.routing_id;
    if (!router_.send(zmq::buffer(routing_id),
                      zmq::send_flags::sndmore | zmq::send_flags::dontwait) ||
        !router_.send(payload, zmq::send_flags::dontwait)) {
      ++dropped_sends_;
    }
  }
}

void Reactor::onRouterMessage() {
  zmq::message_t routing_id;
  zmq::message_t payload;
  if (!router_.recv(routing_id, zmq::recv_flags::dontwait)) return;
  bool two_frames = routing_id.more() && router_.recv(payload, zmq::recv_flags::dontwait);
  if (payload.more()) {  // more frames than the protocol uses: drain and drop
    zmq::message_t extra;
    while (router_.recv(extra, zmq::recv_flags::dontwait) && extra.more()) {
    }
    two_frames = false;
  }
  std::string peer_key = transport::peerKeyOf(payload);
  // ZAP admitted the key when the session began; a peer removed since then is ignored here.
  if (!two_frames || peer_key.empty()) return;
  if (allowed_keys_.count(peer_key) == 0) {
    if (removed_keys_.count(peer_key) != 0) ++removed_peer_messages_;
    return;
  }
  auto [it, inserted] = server_by_key_.try_emplace(peer_key, next_server_link_);
  sync::LinkId link = it->second;
  ServerLink& server = servers_[link];
  std::string session = routing_id.to_string();
  // A reconnection gets a new routing id: answers queued on the old connection were lost.
  if (!server.routing_id.empty() && server.routing_id != session) engine_->newSession(link);
  server.routing_id = std::move(session);
  server.last_seen_ms = nowMs();
  if (inserted || server.peer_key.empty()) {
    ++next_server_link_;
    server.peer_key = peer_key;
    engine_->linkUp(link, sync::Role::kServer, peer_key);
    log::info("event=peer_up role=server peer={}", shortKey(peer_key));
  }
  receive(link, payload);
}

void Reactor::onClientMessage(sync::LinkId link, ClientLink& client) {
  zmq::message_t payload;
  while (client.socket.recv(payload, zmq::recv_flags::dontwait)) {
    if (payload.more()) continue;  // our peers send one frame; extra frames are dropped
    receive(link, payload);
  }
}

void Reactor::onMonitorEvent(sync::LinkId link, ClientLink& client) {
  zmq::message_t event;
  zmq::message_t address;
  if (!client.monitor.recv(event, zmq::recv_flags::dontwait)) return;
  if (event.more()) (void)client.monitor.recv(address, zmq::recv_flags::dontwait);
  if (event.size() < 2) return;
  uint16_t id = 0;
  std::memcpy(&id, event.data(), sizeof(id));
  if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED && !client.up) {
    client.up = true;
    client.backoff_ms = 0;
    log::info("event=peer_up role=client peer={} endpoint={}",
              shortKey(client.card.transport_public_z85), client.card.endpoint);
    engine_->linkUp(link, sync::Role::kClient, client.card.transport_public_z85);
  } else if (id == ZMQ_EVENT_DISCONNECTED && client.up) {
    client.up = false;
    log::info("event=peer_down role=client peer={}", shortKey(client.card.transport_public_z85));
    engine_->linkDown(link);
  } else if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
    client.backoff_ms =
        std::min(kMaxRetryMs, client.backoff_ms ? 2 * client.backoff_ms : kFirstRetryMs);
    client.reconnect_at_ms = nowMs() + client.backoff_ms;
    log::warn("event=handshake_refused peer={} endpoint={} retry_ms={}",
              shortKey(client.card.transport_public_z85), client.card.endpoint, client.backoff_ms);
  }
}

void Reactor::tick() {
  engine_->tick();
  // A fork proof froze a feed: its state goes back to the prefix before the fork.
  if (storage_->frozen() != frozen_seen_) refreshTrust();
  // Our own feed grows when `eichub publish` runs in another process; announce new heads.
  auto head = home_.store().head(home_.nodeKey().publicKey());
  uint64_t& seen = own_heads_seen_[home_.nodeKey().publicKey()];
  if (head.ok() && head->seq != seen) {
    seen = head->seq;
    refreshTrust();  // our own feed may hold new trust records
    engine_->localHeadsChanged();
  }
  int64_t now = nowMs();
  for (auto& [id, client] : clients_) {
    if (client.reconnect_at_ms != 0 && now >= client.reconnect_at_ms) {
      if (Status s = openClient(id, client); !s.ok()) {
        client.reconnect_at_ms = now + kMaxRetryMs;
      }
    }
  }
  // tick() runs after every poll; under load that is far more often than anyone reads.
  if (now - snapshot_ms_ >= kTickMs) publishSnapshot();
  if (now - reader_check_ms_ >= kReaderCheckMs) clearStaleReaders(now);
}

void Reactor::clearStaleReaders(int64_t now) {
  reader_check_ms_ = now;
  auto freed = home_.store().clearStaleReaders();
  if (!freed.ok()) {
    log::warn("event=reader_check_failed error=\"{}\"", freed.status().toString());
  } else if (*freed > 0) {
    log::info("event=stale_readers_freed slots={}", *freed);
  }
}

void Reactor::logReject(sync::LinkId link, const std::string& reason) {
  int64_t now = nowMs();
  int64_t& last = reject_logged_ms_[{link, reason}];
  if (now - last < kRejectLogIntervalMs) return;
  last = now;
  std::string peer;
  if (auto c = clients_.find(link); c != clients_.end()) peer = c->second.card.transport_public_z85;
  if (auto s = servers_.find(link); s != servers_.end()) peer = s->second.peer_key;
  log::warn("event=reject peer={} reason=\"{}\" (counted; repeats logged every {} s)",
            shortKey(peer), reason, kRejectLogIntervalMs / 1000);
}

nlohmann::json Reactor::statusJson() {
  nlohmann::json links = nlohmann::json::array();
  for (const sync::LinkStats& stats : engine_->linkStats()) {
    links.push_back({{"peer_key", stats.peer_key},
                     {"role", stats.role == sync::Role::kClient ? "client" : "server"},
                     {"up", stats.up},
                     {"last_seen_ms", stats.last_seen_ms},
                     {"updates_received", stats.updates_received},
                     {"updates_applied", stats.updates_applied},
                     {"duplicates", stats.duplicates},
                     {"updates_sent", stats.updates_sent},
                     {"bodies_received", stats.bodies_received},
                     {"bodies_sent", stats.bodies_sent},
                     {"rejected", stats.rejected},
                     {"rejected_by_reason", stats.rejected_by_reason},
                     {"throttled", stats.throttled}});
  }
  nlohmann::json feeds = nlohmann::json::array();
  uint64_t withheld_feeds = 0;  // behind what a peer announced and not advancing (case 14)
  auto states = engine_->feedStates();
  if (states.ok()) {
    for (const sync::FeedSyncState& state : *states) {
      withheld_feeds += state.stale ? 1 : 0;
      feeds.push_back({{"author", toHex(state.author)},
                       {"local_seq", state.local_seq},
                       {"best_remote_seq", state.best_remote_seq},
                       {"withheld", state.stale},
                       {"frozen", storage_->isFrozen(state.author)}});
    }
  }
  const std::vector<policy::StaleFeed> stale = staleFeeds(nowMs());
  nlohmann::json stale_ids = nlohmann::json::array();
  for (const policy::StaleFeed& feed : stale) stale_ids.push_back(toHex(feed.author));
  auto erased = home_.store().erasedBodies();
  return {{"node", toHex(home_.nodeKey().publicKey())},
          {"endpoint", endpoint_},
          {"catching_up", engine_->catchingUp()},
          {"pending_updates", engine_->pendingUpdates()},
          {"store_write_failures", engine_->storeFailures()},
          {"store_corrupt_refused", storage_->corruptRefused()},
          {"removed_peer_messages_dropped", removed_peer_messages_},
          {"bodies_pending", engine_->bodiesPending()},
          {"bodies_given_up", engine_->bodiesGivenUp()},
          {"zap_admitted", zap_->admitted()},
          {"zap_refused", zap_->refused()},
          {"dropped_sends", dropped_sends_},
          {"frozen_feeds", storage_->frozen().size()},
          {"stale_feeds", stale.size()},
          {"erased_bodies", erased.ok() ? nlohmann::json(*erased) : nlohmann::json()},
          {"withheld_feeds", withheld_feeds},
          {"source_switches", engine_->sourceSwitches()},
          {"fork_probes", engine_->forkProbes()},
          {"wants_refused", engine_->refusedWants()},
          {"trust",
           {{"authors", trust_.state().authors().size()},
            {"cuts", trust_.state().cuts().size()},
            {"pending_rotations", trust_.state().pendingRotations().size()},
            {"stale", stale_ids}}},
          {"links", links},
          {"feeds", feeds}};
}

void Reactor::onControl() {
  zmq::message_t request;
  if (!control_.recv(request, zmq::recv_flags::dontwait)) return;
  std::string command = request.to_string();
  nlohmann::json reply;
  if (command == "notify") {
    refreshTrust();  // what was published may be trust records, or a vendor's feed
    engine_->localHeadsChanged();
    reply = {{"ok", true}};
  } else if (command.rfind("fetch ", 0) == 0) {
    auto refs = parseFetchCommand(command);
    if (refs.ok()) {
      reply = {{"ok", true}, {"queued", engine_->fetchBodies(*refs)}};
    } else {
      reply = {{"ok", false}, {"error", refs.status().message()}};
    }
  } else if (command == "reload") {
    Status s = reload("control");
    reply = {{"ok", s.ok()}, {"error", s.ok() ? "" : s.message()}};
  } else if (command == "status") {
    reply = statusJson();
  } else {
    reply = {{"ok", false}, {"error", "unknown command"}};
  }
  control_.send(zmq::buffer(reply.dump()), zmq::send_flags::none);
}

void Reactor::writeRunFile() {
  nlohmann::json doc = {{"pid", ::getpid()},
                        {"endpoint", endpoint_},
                        {"http", http_->address()},
                        {"control", controlEndpoint(home_.dir())}};
  std::string path = runFilePath(home_.dir());
  std::string tmp = path + ".tmp";
  std::ofstream(tmp) << doc.dump() << "\n";
  std::rename(tmp.c_str(), path.c_str());
}

Status Reactor::run(int signal_fd) {
  while (true) {
    std::vector<zmq::pollitem_t> items = {
        {nullptr, signal_fd, ZMQ_POLLIN, 0},   {zap_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {router_.handle(), 0, ZMQ_POLLIN, 0},  {writer_->channel().handle(), 0, ZMQ_POLLIN, 0},
        {control_.handle(), 0, ZMQ_POLLIN, 0},
    };
    std::vector<sync::LinkId> order;
    for (auto& [id, client] : clients_) {
      items.push_back({client.socket.handle(), 0, ZMQ_POLLIN, 0});
      items.push_back({client.monitor.handle(), 0, ZMQ_POLLIN, 0});
      order.push_back(id);
    }
    zmq::poll(items, std::chrono::milliseconds(kTickMs));
    if (items[0].revents & ZMQ_POLLIN) {
      signalfd_siginfo info{};
      if (::read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
        if (info.ssi_signo == SIGHUP) {
          (void)reload("HUP");  // logged there; a bad file leaves the running settings
        } else {
          log::info("event=stop signal={}", info.ssi_signo);
          break;
        }
      }
    }
    if (items[1].revents & ZMQ_POLLIN) zap_->handleOne();
    if (items[2].revents & ZMQ_POLLIN) {
      for (int i = 0; i < 256 && (router_.get(zmq::sockopt::events) & ZMQ_POLLIN); ++i) {
        onRouterMessage();
      }
    }
    if (items[3].revents & ZMQ_POLLIN) {
      bool applied = false;
      while (writer_->channel().get(zmq::sockopt::events) & ZMQ_POLLIN) {
        WriteOutcome outcome = writer_->receiveOutcome();
        metrics_.observeCommit(outcome.seconds);
        ++(outcome.status.ok() ? batches_applied_ : batches_failed_);
        applied = applied || outcome.applied > 0;
        engine_->applied(outcome.batch_id, outcome.status);
      }
      // Applied batches may hold trust records, or land past a cut learnt meanwhile.
      if (applied) refreshTrust();
    }
    if (items[4].revents & ZMQ_POLLIN) onControl();
    for (size_t i = 0; i < order.size(); ++i) {
      auto found = clients_.find(order[i]);
      if (found == clients_.end()) continue;  // removed by a reload in this round
      ClientLink& client = found->second;
      if (items[5 + 2 * i + 1].revents & ZMQ_POLLIN) onMonitorEvent(order[i], client);
      if (items[5 + 2 * i].revents & ZMQ_POLLIN) onClientMessage(order[i], client);
    }
    tick();
  }
  for (auto& [id, client] : clients_) {
    if (client.up) send(id, wire::encode(wire::Bye{}));
    zmq_socket_monitor(client.socket.handle(), nullptr, 0);
  }
  std::remove(runFilePath(home_.dir()).c_str());
  std::remove((home_.dir() + "/daemon.sock").c_str());
  return Status::OK();
}

}  // namespace

std::string runFilePath(const std::string& home_dir) { return home_dir + "/daemon.json"; }

std::string controlEndpoint(const std::string& home_dir) {
  return "ipc://" + home_dir + "/daemon.sock";
}

Status runDaemon(home::Home& home, const std::string& log_level_flag) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  // Blocked here so that they reach the reactor through the signalfd and every thread started
  // afterwards (ZeroMQ's included) inherits the mask.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) return Status::IOError("signalfd failed");
  Status status;
  {
    zmq::context_t context(1);
    {
      Reactor reactor(home, context, log_level_flag);
      status = reactor.start();
      if (status.ok()) status = reactor.run(signal_fd);
    }
    context.shutdown();
  }
  ::close(signal_fd);
  return status;
}

}  // namespace eichub::daemon
