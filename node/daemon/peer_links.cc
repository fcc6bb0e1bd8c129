// PeerLinks: the ROUTER, the client DEALERs and their monitors, send queues and link removal.
#include "node/daemon/peer_links.h"

#include <algorithm>
#include <cstring>

#include "node/daemon/reactor_common.h"
#include "node/log.h"

namespace eichub::daemon {

PeerLinks::PeerLinks(zmq::context_t& context, transport::CurveKeyPair keys,
                     transport::SocketLimits limits, uint64_t send_queue_bytes,
                     http::Metrics& metrics)
    : context_(context),
      keys_(std::move(keys)),
      limits_(limits),
      send_queue_bytes_(send_queue_bytes),
      metrics_(metrics) {}

Status PeerLinks::listen(const std::string& endpoint) {
  auto router = transport::bindRouter(context_, endpoint, keys_, limits_);
  if (!router.ok()) return router.status();
  router_ = std::move(router->socket);
  endpoint_ = router->endpoint;
  return Status::OK();
}

void PeerLinks::keepOnly(const std::set<std::string>& admitted,
                         const std::map<std::string, home::PeerCard>& cards,
                         sync::SyncEngine& engine) {
  for (const std::string& key : admitted) removed_keys_.erase(key);  // added again
  for (auto it = clients_.begin(); it != clients_.end();) {
    const std::string& key = it->second.card.transport_public_z85;
    if (admitted.count(key) != 0) {
      ++it;
      continue;
    }
    removed_keys_.insert(key);
    if (it->second.up) engine.linkDown(it->first);
    log::info("event=peer_removed role=client peer={} endpoint={}", shortKey(key),
              it->second.card.endpoint);
    zmq_socket_monitor(it->second.socket.handle(), nullptr, 0);
    it = clients_.erase(it);  // closes our DEALER (linger 0): nothing more is read from it
  }
  for (auto it = server_by_key_.begin(); it != server_by_key_.end();) {
    if (admitted.count(it->first) != 0) {
      ++it;
      continue;
    }
    // libzmq cannot close one peer's connection on a ROUTER: the session stays open, and
    // onRouterMessage drops what it sends from now on.
    removed_keys_.insert(it->first);
    engine.linkDown(it->second);
    servers_.erase(it->second);
    log::info("event=peer_removed role=server peer={}", shortKey(it->first));
    it = server_by_key_.erase(it);
  }
  allowed_keys_ = admitted;
  std::set<std::string> connected;
  for (const auto& [id, client] : clients_) connected.insert(client.card.transport_public_z85);
  for (const auto& [key, card] : cards) {
    if (admitted.count(key) != 0 && connected.count(key) == 0) connect(card);
  }
}

void PeerLinks::connect(const home::PeerCard& card) {
  sync::LinkId id = next_client_link_++;
  ClientLink client{card, zmq::socket_t(), zmq::socket_t(), false, 0, 0};
  if (Status s = openClient(id, client); !s.ok()) {
    log::error("event=peer_connect_failed peer={} err=\"{}\"", card.endpoint, s.message());
    return;
  }
  clients_.emplace(id, std::move(client));
}

Status PeerLinks::openClient(sync::LinkId id, ClientLink& client) {
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

void PeerLinks::send(sync::LinkId link, Bytes bytes) {
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

bool PeerLinks::sendToRouter(const std::string& routing_id, const Bytes& bytes) {
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

int PeerLinks::flushSendQueues(int last_wait_ms) {
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

uint64_t PeerLinks::queuedBytes(sync::LinkId link) const {
  auto server = servers_.find(link);
  return server == servers_.end() ? 0 : server->second.queue.bytes();
}

uint64_t PeerLinks::sendQueuedBytes() const {
  uint64_t queued = 0;
  for (const auto& [id, server] : servers_) queued += server.queue.bytes();
  return queued;
}

void PeerLinks::onRouterReadable(sync::SyncEngine& engine) {
  for (int i = 0; i < kMaxRouterMessagesPerWake && (router_.get(zmq::sockopt::events) & ZMQ_POLLIN);
       ++i) {
    onRouterMessage(engine);
  }
}

void PeerLinks::onRouterMessage(sync::SyncEngine& engine) {
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
  ServerLink& server = servers_.try_emplace(link, send_queue_bytes_).first->second;
  std::string session = routing_id.to_string();
  // A reconnection gets a new routing id: answers queued on the old connection were lost.
  if (!server.routing_id.empty() && server.routing_id != session) {
    server.queue.clear();
    engine.newSession(link);
  }
  server.routing_id = std::move(session);
  server.last_seen_ms = nowMs();
  if (inserted || server.peer_key.empty()) {
    ++next_server_link_;
    server.peer_key = peer_key;
    engine.linkUp(link, sync::Role::kServer, peer_key);
    log::info("event=peer_up role=server peer={}", shortKey(peer_key));
  }
  receive(link, payload, engine);
}

void PeerLinks::appendPollItems(std::vector<zmq::pollitem_t>& items) {
  polled_.clear();
  for (auto& [id, client] : clients_) {
    items.push_back({client.socket.handle(), 0, ZMQ_POLLIN, 0});
    items.push_back({client.monitor.handle(), 0, ZMQ_POLLIN, 0});
    polled_.push_back(id);
  }
}

void PeerLinks::onClientsPolled(const std::vector<zmq::pollitem_t>& items, size_t first,
                                sync::SyncEngine& engine) {
  for (size_t i = 0; i < polled_.size(); ++i) {
    auto found = clients_.find(polled_[i]);
    if (found == clients_.end()) continue;  // removed by a reload in this round
    ClientLink& client = found->second;
    if (items[first + 2 * i + 1].revents & ZMQ_POLLIN) onMonitorEvent(polled_[i], client, engine);
    if (items[first + 2 * i].revents & ZMQ_POLLIN) onClientMessage(polled_[i], client, engine);
  }
}

void PeerLinks::onClientMessage(sync::LinkId link, ClientLink& client, sync::SyncEngine& engine) {
  zmq::message_t payload;
  while (client.socket.recv(payload, zmq::recv_flags::dontwait)) {
    if (payload.more()) continue;  // our peers send one frame; extra frames are dropped
    receive(link, payload, engine);
  }
}

void PeerLinks::onMonitorEvent(sync::LinkId link, ClientLink& client, sync::SyncEngine& engine) {
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
    engine.linkUp(link, sync::Role::kClient, client.card.transport_public_z85);
  } else if (id == ZMQ_EVENT_DISCONNECTED && client.up) {
    client.up = false;
    log::info("event=peer_down role=client peer={}", shortKey(client.card.transport_public_z85));
    engine.linkDown(link);
  } else if (id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH || id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
    client.backoff_ms =
        std::min(kMaxRetryMs, client.backoff_ms ? 2 * client.backoff_ms : kFirstRetryMs);
    client.reconnect_at_ms = nowMs() + client.backoff_ms;
    log::warn("event=handshake_refused peer={} endpoint={} retry_ms={}",
              shortKey(client.card.transport_public_z85), client.card.endpoint, client.backoff_ms);
  }
}

void PeerLinks::receive(sync::LinkId link, const zmq::message_t& payload,
                        sync::SyncEngine& engine) {
  auto start = std::chrono::steady_clock::now();
  engine.receive(link, ByteView(static_cast<const uint8_t*>(payload.data()), payload.size()));
  metrics_.observeReceive(secondsSince(start));
}

void PeerLinks::reconnectDue(int64_t now) {
  for (auto& [id, client] : clients_) {
    if (client.reconnect_at_ms != 0 && now >= client.reconnect_at_ms) {
      if (Status s = openClient(id, client); !s.ok()) {
        client.reconnect_at_ms = now + kMaxRetryMs;
      }
    }
  }
}

int64_t PeerLinks::nextReconnectMs(int64_t fallback) const {
  int64_t next = fallback;
  for (const auto& [id, client] : clients_) {
    if (client.reconnect_at_ms != 0) next = std::min(next, client.reconnect_at_ms);
  }
  return next;
}

void PeerLinks::sayBye() {
  for (auto& [id, client] : clients_) {
    if (client.up) send(id, wire::encode(wire::Bye{}));
    zmq_socket_monitor(client.socket.handle(), nullptr, 0);
  }
}

void PeerLinks::logReject(sync::LinkId link, const std::string& reason) {
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

}  // namespace eichub::daemon
