// Reactor: start-up and the wiring of its parts, the poll loop, periodic work.
#include "node/daemon/reactor.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "node/daemon/configured_limits.h"
#include "node/daemon/reactor_common.h"
#include "node/daemon/run_file.h"
#include "node/daemon/status_report.h"
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
  auto keys = transport::curveKeyPairFromSecret(home_.transportKeys().secret_z85);
  if (!keys.ok()) return keys.status();
  transport::SocketLimits limits = socketLimitsOf(home_.options().limits);
  limits.router_mandatory = true;
  links_ = std::make_unique<PeerLinks>(context_, *keys, limits,
                                       home_.options().limits.sync_send_queue_bytes, metrics_);
  if (Status s = links_->listen(home_.options().listen); !s.ok()) {
    return s.withContext("cannot listen");
  }
  EICHUB_RETURN_IF_ERROR(bindControl());

  writer_ =
      std::make_unique<Writer>(context_, home_.store(), toHex(home_.nodeKey().publicKey()),
                               WriterIdentity{home_.nodeKey(), home_.options().network}, applied_);
  storage_ = std::make_unique<StoreAdapter>(store(), *writer_);
  admission_ = std::make_unique<Admission>(home_, std::move(zap).value(), *writer_, *storage_);
  sync::SyncOptions options = syncOptionsOf(home_.options().limits);
  options.network = home_.options().network;
  options.node_id = home_.nodeKey().publicKey();
  auto subscription = subscriptionOf(running_, store());
  if (!subscription.ok()) return subscription.status().withContext("subscribe");
  options.wants_body = subscription->bodyFilter();
  options.announce_after_reads = true;  // flushed in run() after each wake's reads
  options.identity_matches = [this](const std::string& peer_key, const PublicKey& node_id) {
    return admission_->helloIdentityMatches(peer_key, node_id);
  };
  engine_ = std::make_unique<sync::SyncEngine>(
      options, *storage_, admission_->trust(),
      [this](sync::LinkId link, Bytes bytes) { links_->send(link, std::move(bytes)); }, nowMs,
      [this](sync::LinkId link, const std::string& reason) { links_->logReject(link, reason); },
      [](const std::string& fields) { log::info("{}", fields); });
  engine_->setQueuedBytes([this](sync::LinkId link) { return links_->queuedBytes(link); });
  EICHUB_RETURN_IF_ERROR(loadPeers(true));
  snapshot_.publish(view());
  snapshot_ask_fd_ = http::UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!snapshot_ask_fd_.valid()) return Status::IOError("eventfd", std::strerror(errno));
  snapshot_.board().setAsk([fd = snapshot_ask_fd_.get()] {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof(one));  // full: already asked
  });
  EICHUB_RETURN_IF_ERROR(startHttp());
  writeRunFile(home_.dir(), links_->endpoint(), http_->address());
  log::info("event=start node={} endpoint={} http={} peers={}", toHex(home_.nodeKey().publicKey()),
            links_->endpoint(), http_->address(), links_->clientCount());
  return Status::OK();
}
Status Reactor::bindControl() {
  ControlChannel::Handlers handlers;
  // What was published may be trust records, or a vendor's feed.
  handlers.notify = [this] { onLocalWrite(); };
  handlers.fetch = [this](const std::vector<wire::BodyRef>& refs) {
    return engine_->fetchBodies(refs);
  };
  handlers.reload = [this] { return reload("control"); };
  handlers.status = [this] { return statusReport(view()); };
  EICHUB_ASSIGN_OR_RETURN(control_,
                          ControlChannel::bind(context_, home_.dir(), std::move(handlers)));
  return Status::OK();
}
Status Reactor::startHttp() {
  const config::Options& options = home_.options();
  home::PeerCard card = home_.peerCard();
  card.endpoint = links_->endpoint();  // the bound one, when the config says port *
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
  auto context = std::make_unique<http::ApiContext>(store(), snapshot_.board(), applied_, metrics_,
                                                    std::move(info), options.http_api_token,
                                                    std::move(publish));
  auto server = http::HttpServer::start(
      {options.http_listen, options.http_allowed_hosts, httpLimitsOf(options.limits)},
      std::move(context));
  if (!server.ok()) return server.status().withContext("set http.listen to a free host:port");
  http_ = std::move(server).value();
  return Status::OK();
}
DaemonView Reactor::view() {
  return {*engine_,
          *links_,
          *admission_,
          *storage_,
          store(),
          running_,
          home_.nodeKey().publicKey(),
          batches_applied_,
          batches_failed_,
          idle_trim_.trims()};
}
void Reactor::tick(bool woken) {
  int64_t now = nowMs();
  // Timers that fired change what the snapshot shows, as messages do.
  if (woken || now >= engine_->nextTickMs()) snapshot_.markStale();
  if (woken) idle_trim_.active(now);
  engine_->tick();
  // A fork proof froze a feed: its state goes back to the prefix before the fork.
  if (admission_->frozenChanged()) admission_->refreshTrust();
  links_->reconnectDue(now);
  if (now >= own_head_check_ms_ + kOwnHeadCheckMs) {
    own_head_check_ms_ = now;
    auto head = store().queries().head(home_.nodeKey().publicKey());
    uint64_t& seen = own_heads_seen_[home_.nodeKey().publicKey()];
    if (head.ok() && head->seq != seen) onLocalWrite();
    // When a peer's announced head passed ours (the lag the peers' status shows): noticed here
    // as well as at each snapshot, which is built only when read.
    (void)engine_->peerHeads();
  }
  if (now >= snapshot_.dueMs()) snapshot_.publish(view());
  if (now - reader_check_ms_ >= kReaderCheckMs) clearStaleReaders(now);
  if (idle_trim_.trimIfDue(now)) snapshot_.markStale();  // the trims count shows in /metrics
}
int Reactor::waitMs(int send_wait_ms) const {
  const int64_t now = nowMs();
  int64_t next =
      std::min({engine_->nextTickMs(), snapshot_.dueMs(), reader_check_ms_ + kReaderCheckMs,
                idle_trim_.dueMs(), own_head_check_ms_ + kOwnHeadCheckMs});
  next = links_->nextReconnectMs(next);
  int64_t wait = std::clamp<int64_t>(next - now, 0, kOwnHeadCheckMs);
  if (send_wait_ms >= 0) wait = std::min<int64_t>(wait, send_wait_ms);
  return static_cast<int>(wait);
}
void Reactor::onLocalWrite() {
  // tick() announces the head only when it moves again.
  if (auto head = store().queries().head(home_.nodeKey().publicKey()); head.ok()) {
    own_heads_seen_[home_.nodeKey().publicKey()] = head->seq;
  }
  // Peers first: the new head is pushed before the trust refresh queues behind it.
  engine_->localHeadsChanged();
  admission_->refreshTrust();
  applied_.notify();  // a write from another process: no writer thread told the long polls
}
void Reactor::onWriterReadable() {
  bool refresh = false;
  while (writer_->channel().get(zmq::sockopt::events) & ZMQ_POLLIN) {
    WriteOutcome outcome = writer_->receiveOutcome();
    if (const auto* batch = std::get_if<BatchApplied>(&outcome)) {
      // Judged after the refreshes the writer answered before it, so with the trust they gave.
      refresh =
          refresh || (batch->applied > 0 && mayChangeTrust(batch->reach, admission_->trust()));
    }
    onWriterOutcome(std::move(outcome));
  }
  // Applied batches that hold trust records, or landed past a cut learnt meanwhile.
  if (refresh) admission_->refreshTrust();
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
Status Reactor::run(int signal_fd) {
  int send_wait_ms = -1;
  int wait_ms = 0;
  while (true) {
    std::vector<zmq::pollitem_t> items = {
        {nullptr, signal_fd, ZMQ_POLLIN, 0},
        {admission_->zap().socket().handle(), 0, ZMQ_POLLIN, 0},
        {links_->router().handle(), 0, ZMQ_POLLIN, 0},
        {writer_->channel().handle(), 0, ZMQ_POLLIN, 0},
        {control_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, snapshot_ask_fd_.get(), ZMQ_POLLIN, 0},
    };
    const size_t first_client = items.size();
    links_->appendPollItems(items);
    const int ready = poller_.poll(items, std::chrono::milliseconds(wait_ms));
    // A reader asking for a snapshot changes nothing: it is no activity (IdleTrim) and leaves
    // the snapshot as current as it was.
    const bool asked = (items[5].revents & ZMQ_POLLIN) != 0;
    const bool woken = ready > (asked ? 1 : 0);
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
    if (items[1].revents & ZMQ_POLLIN) admission_->zap().handleOne();
    if (items[2].revents & ZMQ_POLLIN) links_->onRouterReadable(*engine_);
    if (items[3].revents & ZMQ_POLLIN) onWriterReadable();
    if (items[4].revents & ZMQ_POLLIN) control_->serveOne();
    if (asked) {
      uint64_t asks = 0;  // tick() publishes: SnapshotPublisher::dueMs
      [[maybe_unused]] ssize_t n = ::read(snapshot_ask_fd_.get(), &asks, sizeof(asks));
    }
    links_->onClientsPolled(items, first_client, *engine_);
    engine_->flushAnnouncements();  // what this wake took, once every message of it was read
    tick(woken);
    send_wait_ms = links_->flushSendQueues(send_wait_ms);  // after tick: what it served goes
    wait_ms = waitMs(send_wait_ms);                        // at once
  }
  links_->sayBye();
  removeRunFile(home_.dir());
  control_->removeSocketFile();
  return Status::OK();
}

}  // namespace eichub::daemon
