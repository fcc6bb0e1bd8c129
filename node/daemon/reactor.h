// Reactor: the daemon's main loop and the wiring of its parts (internal to node/daemon). One
// poll loop over the peer sockets, the ZAP handler, the control socket, the writer's outcomes
// and the signalfd drives the sync engine; the Writer thread makes every LMDB write (the
// reactor only reads) and the HTTP threads read snapshots (docs/architecture.md "Threads").
// Its parts, each on this thread: PeerLinks (the peer sockets), Admission (peers.toml, ZAP,
// trust refreshes), ControlChannel (the CLI's commands), SnapshotPublisher (what HTTP shows),
// the run file. reactor.cc: start-up, the loop, periodic work; reactor_reload.cc: peers and
// config reloads, trust refreshes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "federation/sync/sync_engine.h"
#include "federation/transport/socket_poller.h"
#include "node/daemon/admission.h"
#include "node/daemon/control_channel.h"
#include "node/daemon/daemon_view.h"
#include "node/daemon/idle_trim.h"
#include "node/daemon/peer_links.h"
#include "node/daemon/reload.h"
#include "node/daemon/snapshot_publisher.h"
#include "node/daemon/store_adapter.h"
#include "node/daemon/writer.h"
#include "node/home/home.h"
#include "node/http/change_signal.h"
#include "node/http/http_server.h"
#include "node/http/listen_socket.h"
#include "node/http/metrics.h"

namespace eichub::daemon {

// The loop sleeps until the next deadline (docs/network.md "Idle"): the engine's timers, a
// client link's reconnect and housekeeping below; a message, a signal or an HTTP reader asking
// for a snapshot (snapshot_publisher.h) wakes it sooner. An idle daemon wakes only every
// kOwnHeadCheckMs.
// Our own feed's head is compared with what was announced this often: writers tell the daemon
// (SIGUSR1 or the control socket), and this catches a notification lost while it started. The
// peers' heads that passed ours are noticed as often (their lag in the status).
inline constexpr int64_t kOwnHeadCheckMs = 5'000;
// Reader slots of CLI processes killed inside a read txn are freed this often (docs/reliability.md
// case 39).
inline constexpr int64_t kReaderCheckMs = 60'000;

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
  // Admits the configured peers whose node trust has not removed or revoked: ZAP lets their
  // transport keys in and their links are kept or opened; every other link is dropped. Runs
  // when peers.toml is loaded and whenever trust changes.
  void admitPeers();
  Status startHttp();
  Status bindControl();
  // The poll's timeout: the time to the soonest deadline (engine timers, reconnects, snapshot,
  // housekeeping), and at most send_wait_ms when that is not -1.
  int waitMs(int send_wait_ms) const;
  // Runs after every wake: the engine's timers, reconnects due, a snapshot a reader asked for,
  // and housekeeping. woken: a message, signal or writer outcome came (the snapshot is then
  // behind, and the heap is trimmed again at the next quiet spell, IdleTrim).
  void tick(bool woken);
  // Reads the writer's outcomes that arrived.
  void onWriterReadable();
  // Frees the LMDB reader slots of dead processes (see kReaderCheckMs).
  void clearStaleReaders(int64_t now);
  // Takes the refreshed trust; pulls again when it changed (an admission may make announced
  // feeds acceptable) and drops the links of peers it cut.
  void onTrustRefreshed(TrustRefreshed refreshed);
  // Handles one outcome of the writer.
  void onWriterOutcome(WriteOutcome outcome);
  // Our own feed (or a vendor's we carry) grew: announce the new heads, refresh trust (the
  // updates may be trust records) and wake change-feed long polls.
  void onLocalWrite();
  DaemonView view();

  // Members are destroyed in reverse order: the HTTP server first (its threads use the
  // writer, the board, the metrics and the change signal), the writer after every part that
  // submits to it, the change signal last.
  home::Home& home_;
  zmq::context_t& context_;
  config::Options running_;     // the options in force: the home's, plus what reloads applied
  std::string log_level_flag_;  // --log-level: outranks config.toml
  // Notified after each applied batch; the change feed's long polls wait on it.
  http::ChangeSignal applied_;
  http::Metrics metrics_;
  // eventfd: an HTTP reader asks for a snapshot (SnapshotBoard::setAsk). Outlives http_.
  http::UniqueFd snapshot_ask_fd_;
  SnapshotPublisher snapshot_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<StoreAdapter> storage_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<PeerLinks> links_;
  std::unique_ptr<sync::SyncEngine> engine_;
  std::unique_ptr<ControlChannel> control_;
  std::unique_ptr<http::HttpServer> http_;
  std::map<PublicKey, uint64_t> own_heads_seen_;
  int64_t reader_check_ms_ = 0;
  int64_t own_head_check_ms_ = 0;
  uint64_t batches_applied_ = 0;
  uint64_t batches_failed_ = 0;
  IdleTrim idle_trim_;
  transport::SocketPoller poller_;  // the loop's wait: zmq_poll with half its system calls
};

}  // namespace eichub::daemon
