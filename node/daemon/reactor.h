// Reactor: the daemon's main loop and its state (internal to node/daemon). One poll loop over
// the peer sockets, the ZAP handler, the control socket, the writer's outcomes and the signalfd
// drives the sync engine; the Writer thread makes every LMDB write (the reactor only reads) and
// the HTTP threads read snapshots. Its parts:
// reactor.cc (start, the loop, peer messages), reactor_peers.cc (peers, reload, trust),
// reactor_status.cc (the control status and the HTTP snapshot).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "federation/sync/sync_engine.h"
#include "federation/transport/sockets.h"
#include "federation/transport/zap_handler.h"
#include "node/daemon/reload.h"
#include "node/daemon/send_queue.h"
#include "node/daemon/store_adapter.h"
#include "node/daemon/writer.h"
#include "node/home/home.h"
#include "node/home/peers.h"
#include "node/http/change_signal.h"
#include "node/http/http_server.h"
#include "node/policy/node_trust.h"
#include "node/policy/staleness.h"

namespace eichub::daemon {

// The loop sleeps until the next deadline (docs/network.md "Idle"): the engine's timers, a
// client link's reconnect, the snapshot and housekeeping below; a message or signal wakes it
// sooner. An idle daemon wakes only every kIdleSnapshotMs.
// While anything happens, the HTTP snapshot is at most this old.
inline constexpr int64_t kSnapshotMs = 100;
// With nothing happening, the snapshot's clock-driven fields (idle and lag seconds, stale
// feeds) are brought up to date this often; each snapshot reads every feed's head.
inline constexpr int64_t kIdleSnapshotMs = 5'000;
// Our own feed's head is compared with what was announced this often: writers tell the daemon
// (SIGUSR1 or the control socket), and this catches a notification lost while it started.
inline constexpr int64_t kOwnHeadCheckMs = 5'000;
// Reader slots of CLI processes killed inside a read txn are freed this often (docs/reliability.md
// case 39).
inline constexpr int64_t kReaderCheckMs = 60'000;
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

inline double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline std::string shortKey(const std::string& z85) { return z85.substr(0, 8); }

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
  // Reads peers.toml and refreshes trust; wait_for_trust: blocks until the writer has refreshed
  // it (start-up, before any peer is admitted).
  Status loadPeers(bool wait_for_trust);
  // The store as this thread may use it: reads only. Every write goes to the Writer.
  const store::CatalogStore& store() const { return home_.store(); }
  // Re-reads peers.toml and config.toml, applies what can change while running and logs one
  // line saying what changed and what needs a restart. trigger: "HUP" or "control".
  Status reload(const std::string& trigger);
  // Applies the reloadable keys of diff from loaded. Errors: the subscription's.
  Status applyConfig(const ConfigDiff& diff, const config::Options& loaded);
  void connectPeer(const home::PeerCard& card);
  // Admits the configured peers whose node trust has not removed or revoked: ZAP lets their
  // transport keys in and their links are kept or opened; every other link is dropped
  // (dropRemovedPeers). Runs when peers.toml is loaded and whenever trust changes.
  void admitPeers();
  // Whether trust removed or revoked node_id, or a key it rotated to (not merely rotated).
  bool cutByTrust(const PublicKey& node_id) const;
  // Closes the links of peers not in keys (docs/reliability.md case 25): ZAP judges only new
  // sessions, so a removed or revoked peer's live ones end here, the moment the config or trust
  // changes.
  void dropRemovedPeers(const std::set<std::string>& keys);
  // Whether a hello's node id may be that of the peer with transport key peer_key: its card's,
  // a key that node rotated to (peers keep the old id in their card), or an id this node knows
  // nothing of; never another peer's or another known author's.
  bool helloIdentityMatches(const std::string& peer_key, const PublicKey& node_id) const;
  // Creates (or recreates) the DEALER and its monitor of client link id.
  Status openClient(sync::LinkId id, ClientLink& client);
  void send(sync::LinkId link, Bytes bytes);
  // Hands one message to the ROUTER for routing_id: false when that peer's pipe is full. A gone
  // peer's message is dropped (counted in dropped_sends) and taken as sent.
  bool sendToRouter(const std::string& routing_id, const Bytes& bytes);
  // Hands each server link's queued messages to the ROUTER while it takes them. Returns how long
  // the loop may wait before trying again: -1 (no deadline) when nothing is queued, else
  // kSendRetryMs after progress and twice the last wait (at most kMaxSendRetryMs) while nothing
  // moved.
  int flushSendQueues(int last_wait_ms);
  // The poll's timeout: the time to the soonest deadline (engine timers, reconnects, snapshot,
  // housekeeping), and at most send_wait_ms when that is not -1.
  int waitMs(int send_wait_ms) const;
  void onRouterMessage();
  void onClientMessage(sync::LinkId link, ClientLink& client);
  void onMonitorEvent(sync::LinkId link, ClientLink& client);
  void onControl();
  // Runs after every wake: the engine's timers, reconnects due, the snapshot and housekeeping.
  // woken: a message, signal or writer outcome came (the snapshot is then refreshed within
  // kSnapshotMs).
  void tick(bool woken);
  // Frees the LMDB reader slots of dead processes (see kReaderCheckMs).
  void clearStaleReaders(int64_t now);
  // Copies what the HTTP threads may show (links, feeds, counters) to the snapshot board.
  void publishSnapshot();
  Status startHttp();
  // Hands received bytes to the engine and times it for the metrics.
  void receive(sync::LinkId link, const zmq::message_t& payload);
  // Asks the writer to rederive trust from the store's trust records and restate cut feeds
  // (RefreshTrust); onTrustRefreshed takes the answer. One refresh is in flight at a time: a
  // request meanwhile runs once more after it.
  void refreshTrust();
  // Takes the refreshed trust; pulls again when it changed (an admission may make announced
  // feeds acceptable) and drops the links of peers it cut.
  void onTrustRefreshed(TrustRefreshed refreshed);
  // Handles one outcome of the writer.
  void onWriterOutcome(WriteOutcome outcome);
  // Our own feed (or a vendor's we carry) grew: announce the new heads, refresh trust (the
  // updates may be trust records) and wake change-feed long polls.
  void onLocalWrite();
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
  // Notified after each applied batch; the change feed's long polls wait on it. Outlives the
  // writer and the HTTP server, which use it.
  http::ChangeSignal applied_;
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
  // Transport keys removed from peers.toml (or revoked) while running, and the messages their
  // still-open sessions sent afterwards, dropped unread (status: removed_peer_messages_dropped).
  std::set<std::string> removed_keys_;
  // Configured peers whose node trust removed or revoked (status: revoked_peers).
  std::set<std::string> revoked_keys_;
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
  bool snapshot_stale_ = false;  // something happened since the last snapshot
  int64_t own_head_check_ms_ = 0;
  int64_t reader_check_ms_ = 0;
  // Shared with the HTTP threads (which outlive none of them: http_ is destroyed first).
  http::SnapshotBoard board_;
  http::Metrics metrics_;
  std::unique_ptr<http::HttpServer> http_;
  // Frozen feeds and their fork seqs when trust was last refreshed (an earlier fork point can
  // replace a later one).
  std::map<PublicKey, uint64_t> frozen_seen_;
  bool trust_refresh_in_flight_ = false;  // a RefreshTrust the writer has not answered yet
  bool trust_refresh_again_ = false;      // asked for while one was in flight
};

}  // namespace eichub::daemon
