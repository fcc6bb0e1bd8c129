// Reactor: start-up, the poll loop, peer and control messages, periodic work.
#include "node/daemon/reactor.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "node/daemon/configured_limits.h"
#include "node/daemon/daemon.h"
#include "node/daemon/fetch_command.h"
#include "node/daemon/snapshot_fill.h"
#include "node/daemon/subscription.h"
#include "node/log.h"

namespace eichub::daemon {

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
  limits_ = socketLimitsOf(home_.options().limits);
  limits_.router_mandatory = true;
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

  writer_ =
      std::make_unique<Writer>(context_, home_.store(), toHex(home_.nodeKey().publicKey()),
                               WriterIdentity{home_.nodeKey(), home_.options().network}, applied_);
  storage_ = std::make_unique<StoreAdapter>(store(), *writer_);
  sync::SyncOptions options = syncOptionsOf(home_.options().limits);
  options.network = home_.options().network;
  options.node_id = home_.nodeKey().publicKey();
  auto subscription = subscriptionOf(running_, store());
  if (!subscription.ok()) return subscription.status().withContext("subscribe");
  options.wants_body = subscription->bodyFilter();
  options.identity_matches = [this](const std::string& peer_key, const PublicKey& node_id) {
    return helloIdentityMatches(peer_key, node_id);
  };
  engine_ = std::make_unique<sync::SyncEngine>(
      options, *storage_, trust_,
      [this](sync::LinkId link, Bytes bytes) { send(link, std::move(bytes)); }, nowMs,
      [this](sync::LinkId link, const std::string& reason) { logReject(link, reason); },
      [](const std::string& fields) { log::info("{}", fields); });
  engine_->setQueuedBytes([this](sync::LinkId link) -> uint64_t {
    auto server = servers_.find(link);
    return server == servers_.end() ? 0 : server->second.queue.bytes();
  });
  EICHUB_RETURN_IF_ERROR(loadPeers(true));
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
  // Publishing from HTTP is what `eichub publish` does from another process (publishStream over
  // the body), run by the writer thread, which then tells this thread (LocalPublished) to
  // announce the head.
  http::PublishFn publish = [this](std::string_view body, const catalog::LoadOptions& load) {
    return writer_->publish(body, load);
  };
  auto context =
      std::make_unique<http::ApiContext>(store(), board_, applied_, metrics_, std::move(info),
                                         options.http_api_token, std::move(publish));
  auto server = http::HttpServer::start(
      {options.http_listen, options.http_allowed_hosts, httpLimitsOf(options.limits)},
      std::move(context));
  if (!server.ok()) return server.status().withContext("set http.listen to a free host:port");
  http_ = std::move(server).value();
  return Status::OK();
}
void Reactor::receive(sync::LinkId link, const zmq::message_t& payload) {
  auto start = std::chrono::steady_clock::now();
  engine_->receive(link, ByteView(static_cast<const uint8_t*>(payload.data()), payload.size()));
  metrics_.observeReceive(secondsSince(start));
}
void Reactor::send(sync::LinkId link, Bytes bytes) {
  if (auto client = clients_.find(link); client != clients_.end()) {
    zmq::message_t payload(bytes.data(), bytes.size());
    if (!client->second.socket.send(payload, zmq::send_flags::dontwait)) ++dropped_sends_;
    return;
  }
  if (auto server = servers_.find(link); server != servers_.end()) {
    ServerLink& to = server->second;
    if (to.queue.empty() && sendToRouter(to.routing_id, bytes)) return;
    if (!to.queue.push(std::move(bytes))) ++dropped_sends_;
  }
}
bool Reactor::sendToRouter(const std::string& routing_id, const Bytes& bytes) {
  try {
    if (!router_.send(zmq::buffer(routing_id),
                      zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return false;  // EAGAIN: the peer's pipe is full (ROUTER_MANDATORY)
    }
    zmq::message_t payload(bytes.data(), bytes.size());
    if (!router_.send(payload, zmq::send_flags::dontwait)) ++dropped_sends_;
  } catch (const zmq::error_t&) {
    ++dropped_sends_;  // EHOSTUNREACH: the connection is gone, and what it was owed with it
  }
  return true;
}
int Reactor::flushSendQueues(int last_wait_ms) {
  bool queued = false;
  size_t moved = 0;
  for (auto& entry : servers_) {
    ServerLink& server = entry.second;  // a reference the lambda may capture (clang 14)
    if (server.queue.empty()) continue;
    moved += server.queue.flush(
        [&](const Bytes& bytes) { return sendToRouter(server.routing_id, bytes); });
    queued = queued || !server.queue.empty();
  }
  if (!queued) return -1;
  if (moved > 0 || last_wait_ms < kSendRetryMs) return kSendRetryMs;
  return std::min(2 * last_wait_ms, kMaxSendRetryMs);
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
  ServerLink& server =
      servers_.try_emplace(link, home_.options().limits.sync_send_queue_bytes).first->second;
  std::string session = routing_id.to_string();
  // A reconnection gets a new routing id: answers queued on the old connection were lost.
  if (!server.routing_id.empty() && server.routing_id != session) {
    server.queue.clear();
    engine_->newSession(link);
  }
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
void Reactor::tick(bool woken) {
  int64_t now = nowMs();
  // Timers that fired change what the snapshot shows, as messages do.
  if (woken || now >= engine_->nextTickMs()) snapshot_stale_ = true;
  engine_->tick();
  // A fork proof froze a feed: its state goes back to the prefix before the fork.
  if (storage_->frozen() != frozen_seen_) refreshTrust();
  if (now - own_head_check_ms_ >= kOwnHeadCheckMs) {
    own_head_check_ms_ = now;
    auto head = store().head(home_.nodeKey().publicKey());
    uint64_t& seen = own_heads_seen_[home_.nodeKey().publicKey()];
    if (head.ok() && head->seq != seen) onLocalWrite();
  }
  for (auto& [id, client] : clients_) {
    if (client.reconnect_at_ms != 0 && now >= client.reconnect_at_ms) {
      if (Status s = openClient(id, client); !s.ok()) {
        client.reconnect_at_ms = now + kMaxRetryMs;
      }
    }
  }
  // tick() runs after every poll; under load that is far more often than anyone reads.
  if (now - snapshot_ms_ >= (snapshot_stale_ ? kSnapshotMs : kIdleSnapshotMs)) {
    publishSnapshot();
    snapshot_stale_ = false;
  }
  if (now - reader_check_ms_ >= kReaderCheckMs) clearStaleReaders(now);
}
int Reactor::waitMs(int send_wait_ms) const {
  const int64_t now = nowMs();
  int64_t next = std::min(
      {engine_->nextTickMs(), snapshot_ms_ + (snapshot_stale_ ? kSnapshotMs : kIdleSnapshotMs),
       own_head_check_ms_ + kOwnHeadCheckMs, reader_check_ms_ + kReaderCheckMs});
  for (const auto& [id, client] : clients_) {
    if (client.reconnect_at_ms != 0) next = std::min(next, client.reconnect_at_ms);
  }
  int64_t wait = std::clamp<int64_t>(next - now, 0, kIdleSnapshotMs);
  if (send_wait_ms >= 0) wait = std::min<int64_t>(wait, send_wait_ms);
  return static_cast<int>(wait);
}
void Reactor::onLocalWrite() {
  // tick() announces the head only when it moves again.
  if (auto head = store().head(home_.nodeKey().publicKey()); head.ok()) {
    own_heads_seen_[home_.nodeKey().publicKey()] = head->seq;
  }
  // Peers first: the new head is pushed before the trust refresh queues behind it.
  engine_->localHeadsChanged();
  refreshTrust();
  applied_.notify();  // a write from another process: no writer thread told the long polls
}
void Reactor::onWriterOutcome(WriteOutcome outcome) {
  if (auto* batch = std::get_if<BatchApplied>(&outcome)) {
    metrics_.observeCommit(batch->seconds);
    ++(batch->status.ok() ? batches_applied_ : batches_failed_);
    engine_->applied(batch->batch_id, batch->status);
  } else if (auto* refreshed = std::get_if<TrustRefreshed>(&outcome)) {
    onTrustRefreshed(std::move(*refreshed));
  } else if (std::holds_alternative<LocalPublished>(outcome)) {
    onLocalWrite();
  }
}
void Reactor::clearStaleReaders(int64_t now) {
  reader_check_ms_ = now;
  auto freed = store().clearStaleReaders();
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
void Reactor::onControl() {
  zmq::message_t request;
  if (!control_.recv(request, zmq::recv_flags::dontwait)) return;
  std::string command = request.to_string();
  nlohmann::json reply;
  if (command == "notify") {
    onLocalWrite();  // what was published may be trust records, or a vendor's feed
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
                        {"start_time", processStartTime(::getpid())},
                        {"notify_signal", kNotifySignalName},
                        {"endpoint", endpoint_},
                        {"http", http_->address()},
                        {"control", controlEndpoint(home_.dir())}};
  std::string path = runFilePath(home_.dir());
  std::string tmp = path + ".tmp";
  std::ofstream(tmp) << doc.dump() << "\n";
  std::rename(tmp.c_str(), path.c_str());
}
Status Reactor::run(int signal_fd) {
  int send_wait_ms = -1;
  int wait_ms = 0;
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
    const bool woken = zmq::poll(items, std::chrono::milliseconds(wait_ms)) > 0;
    if (items[0].revents & ZMQ_POLLIN) {
      signalfd_siginfo info{};
      if (::read(signal_fd, &info, sizeof(info)) == sizeof(info)) {
        if (info.ssi_signo == SIGHUP) {
          (void)reload("HUP");  // logged there; a bad file leaves the running settings
        } else if (info.ssi_signo == SIGUSR1) {
          onLocalWrite();  // `eichub publish` wrote to the store
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
        if (const auto* batch = std::get_if<BatchApplied>(&outcome)) {
          applied = applied || batch->applied > 0;
        }
        onWriterOutcome(std::move(outcome));
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
    tick(woken);
    send_wait_ms = flushSendQueues(send_wait_ms);  // after tick: what it served goes at once
    wait_ms = waitMs(send_wait_ms);
  }
  for (auto& [id, client] : clients_) {
    if (client.up) send(id, wire::encode(wire::Bye{}));
    zmq_socket_monitor(client.socket.handle(), nullptr, 0);
  }
  std::remove(runFilePath(home_.dir()).c_str());
  std::remove((home_.dir() + "/daemon.sock").c_str());
  return Status::OK();
}

}  // namespace eichub::daemon
