// SyncEngine: link events, hello checks and the routing of each message to the part that
// handles it (Server, Puller, ForkGuard, BodyPump).
#include "federation/sync/sync_engine.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <variant>

namespace eichub::sync {
namespace {

// The head the last update of a run names: what its sender holds, or will once committed.
std::optional<wire::HeadInfo> lastHeadOf(const wire::Updates& updates) {
  if (updates.updates.empty()) return std::nullopt;
  const feed::SignedUpdate& last = updates.updates.back();
  auto fields = feed::decodeHeader(last.header);
  if (!fields.ok()) return std::nullopt;
  return wire::HeadInfo{fields->author, fields->seq,
                        feed::signedHeaderHash(last.header, last.signature)};
}

}  // namespace

SyncEngine::SyncEngine(SyncOptions options, Storage& storage, const TrustPolicy& trust, SendFn send,
                       ClockFn clock, RejectFn on_reject, EventFn on_event)
    : context_(std::move(options), storage, trust, std::move(send), std::move(clock),
               std::move(on_reject), std::move(on_event)),
      forks_(context_, [this](const PublicKey& author) { puller_.forget(author); }),
      bodies_(context_),
      puller_(context_, forks_, bodies_, relay_,
              [this](LinkId link, const PublicKey& author) {
                const std::string& source = context_.link(link).stats.peer_key;
                if (context_.options().announce_after_reads) {
                  pending_announcements_[author].insert(source);
                } else {
                  server_.announceHead(author, {source});
                }
              }),
      server_(context_, forks_, relay_),
      status_(context_, puller_) {}

void SyncEngine::linkUp(LinkId link, Role role, std::string peer_key) {
  LinkState& state = context_.link(link);
  state.stats.peer_key = std::move(peer_key);
  state.stats.role = role;
  state.stats.up = true;
  state.stats.last_seen_ms = context_.now();
  if (role == Role::kClient) context_.sendHello(link);
}

void SyncEngine::linkDown(LinkId link) {
  auto& links = context_.links();
  auto it = links.find(link);
  if (it == links.end()) return;
  it->second.stats.up = false;
  it->second.subscribed = false;
  it->second.remote_heads.clear();
  it->second.unaccepted_heads.clear();
  it->second.heads_dropped = false;
  it->second.hello_pending = false;
  it->second.hello_received = false;
  status_.linkDown(link);
  bodies_.linkDown(link);
  server_.forgetSession(link);
  forks_.linkDown(link);
  puller_.linkDown(link);
}

bool SyncEngine::receive(LinkId link, ByteView bytes) {
  LinkState& state = context_.link(link);
  const int64_t now = context_.now();
  const bool throttled = state.throttled_until_ms > now;
  if (!throttled) state.stats.throttled = false;
  state.stats.last_seen_ms = now;
  auto decoded = wire::decode(bytes);
  if (!decoded.ok()) {
    if (!throttled) context_.reject(link, "malformed message");
    return context_.link(link).throttled_until_ms <= now;
  }
  wire::Message& message = *decoded;
  const bool client = state.stats.role == Role::kClient;
  if (throttled) {
    // Only a throttled link's payload is dropped. Its announcements are kept, unblamed: they
    // are what its other feeds (trust records included) are pulled by once the throttle ends.
    if (auto* hello = std::get_if<wire::Hello>(&message); hello && client) {
      onHello(link, state, *hello);
    } else if (auto* have = std::get_if<wire::Have>(&message); have && client) {
      puller_.onHave(link, state, have->head);
    } else if (auto* updates = std::get_if<wire::Updates>(&message); updates && client) {
      puller_.onPushAnnounced(link, state, *updates);  // a push announces its head
    } else if (std::holds_alternative<wire::Bye>(message)) {
      state.subscribed = false;
    }
    return false;
  }
  if (auto* hello = std::get_if<wire::Hello>(&message)) {
    onHello(link, state, *hello);
  } else if (auto* have = std::get_if<wire::Have>(&message); have && client) {
    server_.peerHolds(state.stats.peer_key, have->head);
    puller_.onHave(link, state, have->head);
  } else if (auto* want = std::get_if<wire::Want>(&message); want && !client) {
    server_.onWant(link, *want);
  } else if (auto* updates = std::get_if<wire::Updates>(&message); updates && client) {
    if (auto head = lastHeadOf(*updates)) server_.peerHolds(state.stats.peer_key, *head);
    puller_.onUpdates(link, *updates);
  } else if (auto* fork = std::get_if<wire::ForkProof>(&message)) {
    forks_.onFork(link, *fork);
  } else if (auto* want_bodies = std::get_if<wire::WantBodies>(&message); want_bodies && !client) {
    server_.onWantBodies(link, *want_bodies);
  } else if (auto* bodies = std::get_if<wire::Bodies>(&message); bodies && client) {
    bodies_.onBodies(link, *bodies);
  } else if (std::holds_alternative<wire::Bye>(message)) {
    state.subscribed = false;
  } else {
    context_.reject(link, std::string("unexpected ") + wire::messageName(message));
  }
  return context_.link(link).throttled_until_ms <= now;
}

void SyncEngine::onHello(LinkId link, LinkState& state, const wire::Hello& hello) {
  const SyncOptions& options = context_.options();
  if (hello.protocol_version != wire::protocolVersion()) {
    // The protocol version is the feed format: a format-1 peer's chain cannot be checked here.
    context_.reject(link, "protocol version");
    context_.event(
        "event=peer_refused reason=protocol_version peer=" + state.stats.peer_key.substr(0, 16) +
        " peer_format=" + std::to_string(hello.protocol_version) +
        " our_format=" + std::to_string(wire::protocolVersion()) +
        " hint=\"the peer must upgrade: eichub migrate (README, Upgrading)\"");
    context_.send(link, wire::Bye{});
    return;
  }
  if (hello.network != options.network) {
    context_.reject(link, "other network");
    context_.send(link, wire::Bye{});
    return;
  }
  if (options.identity_matches && !options.identity_matches(state.stats.peer_key, hello.node_id)) {
    context_.reject(link, "identity_mismatch");
    context_.send(link, wire::Bye{});
    return;
  }
  if (state.stats.role == Role::kServer) {
    server_.onHello(link, state, hello);
    return;
  }
  // A server's hello holds up to wire::kMaxHelloHeads heads: one per hello we sent.
  if (!state.hello_pending) {
    context_.reject(link, "unsolicited hello");
    return;
  }
  state.hello_pending = false;
  state.serve_budget_bytes = hello.serve_budget_bytes;
  puller_.onHello(link, state, hello);
}

void SyncEngine::flushAnnouncements() {
  std::map<PublicKey, std::set<std::string>> pending;
  pending.swap(pending_announcements_);
  for (const auto& [author, sources] : pending) server_.announceHead(author, sources);
}

void SyncEngine::applied(uint64_t batch_id, const Status& status) {
  if (bodies_.applied(batch_id, status)) return;
  // A failed batch withdraws its relayed runs: announceHeads then lowers what it announced.
  if (puller_.applied(batch_id, status)) server_.announceHeads();
}

void SyncEngine::tick() {
  const int64_t now = context_.now();
  puller_.tick(now);
  server_.resumeDeferred();
  // A link whose throttle ended may be the only peer announcing feeds we are behind on, or that
  // were admitted meanwhile: it announces nothing new, so nothing else would ask it again. (A
  // peer that pushed an unadmitted author's runs gets throttled for them; without this the feed
  // was never pulled once admitted, case 6.)
  for (const PublicKey& author : context_.endThrottles(now)) puller_.pullIfBehind(author);
  bodies_.tick(now, !puller_.catchingUp());
}

int64_t SyncEngine::nextTickMs() const {
  if (server_.hasDeferred() || bodies_.ticking()) return context_.now() + kBusyRecheckMs;
  return std::min(puller_.nextTickMs(), context_.nextThrottleEndMs());
}

void SyncEngine::setBodyFilter(BodyFilter wants_body) {
  context_.setBodyFilter(std::move(wants_body));
  bodies_.rescan();
}

}  // namespace eichub::sync
