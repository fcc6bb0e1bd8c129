// PeerLinks: the daemon's peer sockets (reactor thread only). The ROUTER that peers connect to,
// one DEALER and its monitor per configured peer, and each server link's send queue: it hands
// what peers send to the sync engine, sends what the engine says, reconnects refused
// handshakes, and closes the links of peers no longer admitted (Admission decides which).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "federation/sync/sync_engine.h"
#include "federation/transport/sockets.h"
#include "node/daemon/send_queue.h"
#include "node/home/peers.h"
#include "node/http/metrics.h"

namespace eichub::daemon {

inline constexpr sync::LinkId kFirstServerLink = 1'000'000;
// A handshake the peer refused (it has not added us yet, say) is retried on a fresh socket:
// libzmq does not reconnect after an authentication failure.
inline constexpr int64_t kFirstRetryMs = 500;
inline constexpr int64_t kRejectLogIntervalMs = 10'000;  // rejection log lines per link and reason
inline constexpr int64_t kMaxRetryMs = 30'000;
// How soon the loop tries again to hand queued messages to the ROUTER (it has no per-peer
// writable event): kSendRetryMs after a flush that moved something, doubling up to
// kMaxSendRetryMs while nothing moves, so a peer that never reads does not make the loop spin.
inline constexpr int kSendRetryMs = 2;
inline constexpr int kMaxSendRetryMs = 100;
// Messages read from the ROUTER per wake, so that the other sockets are served in between.
inline constexpr int kMaxRouterMessagesPerWake = 256;

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
  explicit ServerLink(uint64_t max_queued_bytes) : queue(max_queued_bytes) {}
  std::string routing_id;
  std::string peer_key;
  int64_t last_seen_ms = 0;
  SendQueue queue;  // what the ROUTER has not taken yet (its peer's pipe was full)
};

class PeerLinks {
 public:
  // context and metrics (receive times) must outlive the links. send_queue_bytes bounds each
  // server link's SendQueue.
  PeerLinks(zmq::context_t& context, transport::CurveKeyPair keys, transport::SocketLimits limits,
            uint64_t send_queue_bytes, http::Metrics& metrics);

  // Binds the ROUTER on endpoint (ZAP must be installed first). Errors: bindRouter's.
  Status listen(const std::string& endpoint);
  // The bound endpoint ("port *" resolved); empty before listen().
  const std::string& endpoint() const { return endpoint_; }
  zmq::socket_t& router() { return router_; }

  // Keeps the links of the admitted transport keys and closes every other one (docs/
  // reliability.md case 25): ZAP judges only new sessions, so a removed or revoked peer's live
  // ones end here. Then opens a client link to each admitted card not connected yet. cards:
  // the configured peers by transport key.
  void keepOnly(const std::set<std::string>& admitted,
                const std::map<std::string, home::PeerCard>& cards, sync::SyncEngine& engine);

  // Sends bytes to link: a client link's DEALER, or a server link's queue and the ROUTER.
  void send(sync::LinkId link, Bytes bytes);
  // Hands each server link's queued messages to the ROUTER while it takes them. Returns how long
  // the loop may wait before trying again: -1 (no deadline) when nothing is queued, else
  // kSendRetryMs after progress and twice the last wait (at most kMaxSendRetryMs) while nothing
  // moved.
  int flushSendQueues(int last_wait_ms);
  // Bytes queued for link (0 for a client link).
  uint64_t queuedBytes(sync::LinkId link) const;
  // Over every server link.
  uint64_t sendQueuedBytes() const;

  // Reads what the ROUTER holds, at most kMaxRouterMessagesPerWake messages.
  void onRouterReadable(sync::SyncEngine& engine);
  // Appends the poll items of every client link (its DEALER and monitor) to items;
  // onClientsPolled reads those that fired, from index first on.
  void appendPollItems(std::vector<zmq::pollitem_t>& items);
  void onClientsPolled(const std::vector<zmq::pollitem_t>& items, size_t first,
                       sync::SyncEngine& engine);
  // Recreates the sockets of client links whose reconnect is due at now.
  void reconnectDue(int64_t now);
  // The soonest client reconnect, or fallback when none is due.
  int64_t nextReconnectMs(int64_t fallback) const;
  // Says bye to every peer we connected to and detaches the monitors (shutdown).
  void sayBye();

  // Logs a rejection, at most once per link and reason per kRejectLogIntervalMs.
  void logReject(sync::LinkId link, const std::string& reason);

  size_t clientCount() const { return clients_.size(); }
  uint64_t droppedSends() const { return dropped_sends_; }
  // Messages from the still-open sessions of peers removed or revoked while running, dropped
  // unread (status: removed_peer_messages_dropped).
  uint64_t removedPeerMessages() const { return removed_peer_messages_; }

 private:
  void connect(const home::PeerCard& card);
  // Creates (or recreates) the DEALER and its monitor of client link id.
  Status openClient(sync::LinkId id, ClientLink& client);
  // Hands one message to the ROUTER for routing_id: false when that peer's pipe is full. A gone
  // peer's message is dropped (counted in dropped_sends) and taken as sent.
  bool sendToRouter(const std::string& routing_id, const Bytes& bytes);
  void onRouterMessage(sync::SyncEngine& engine);
  void onClientMessage(sync::LinkId link, ClientLink& client, sync::SyncEngine& engine);
  void onMonitorEvent(sync::LinkId link, ClientLink& client, sync::SyncEngine& engine);
  // Hands received bytes to the engine and times it for the metrics.
  void receive(sync::LinkId link, const zmq::message_t& payload, sync::SyncEngine& engine);

  zmq::context_t& context_;
  const transport::CurveKeyPair keys_;
  const transport::SocketLimits limits_;
  const uint64_t send_queue_bytes_;
  http::Metrics& metrics_;
  zmq::socket_t router_;
  std::string endpoint_;
  std::map<sync::LinkId, ClientLink> clients_;
  std::vector<sync::LinkId> polled_;  // the client links appendPollItems listed, in order
  std::map<sync::LinkId, ServerLink> servers_;
  // Server links live as long as the daemon: they are bounded by the configured peers, and a
  // peer that reconnects takes its link over (ROUTER_HANDOVER) with a new hello.
  std::map<std::string, sync::LinkId> server_by_key_;
  std::set<std::string> allowed_keys_;
  sync::LinkId next_server_link_ = kFirstServerLink;
  sync::LinkId next_client_link_ = 1;  // client ids are never reused: a removed link's id is gone
  // Transport keys removed from peers.toml (or revoked) while running: their sessions'
  // messages are counted in removed_peer_messages_.
  std::set<std::string> removed_keys_;
  uint64_t removed_peer_messages_ = 0;
  uint64_t dropped_sends_ = 0;
  uint64_t monitor_generation_ = 0;
  std::map<std::pair<sync::LinkId, std::string>, int64_t> reject_logged_ms_;
};

}  // namespace eichub::daemon
