// Server: hello answered, wants served under credit, body requests, have announcements.
#include "federation/sync/server.h"

#include <algorithm>
#include <utility>

#include "federation/crypto/ed25519_key.h"

namespace eichub::sync {

Server::Server(SyncContext& context, ForkGuard& forks, const RelayBuffer& relay)
    : context_(context),
      forks_(forks),
      credit_(context.options().want_credit, reaskGapMs(context.options())),
      relay_(relay) {}

void Server::forgetSession(LinkId link) {
  credit_.linkDown(link);
  hello_answered_ms_.erase(link);
  headers_only_.erase(link);
  std::erase_if(have_owed_, [&](const auto& owed) { return owed.first == link; });
  auto it = peer_at_.lower_bound({link, PublicKey{}});
  while (it != peer_at_.end() && it->first.first == link) it = peer_at_.erase(it);
}

std::optional<uint64_t> Server::peerAt(LinkId link, const PublicKey& author) const {
  auto it = peer_at_.find({link, author});
  if (it == peer_at_.end()) return std::nullopt;
  return it->second;
}

void Server::onHello(LinkId link, LinkState& state, const wire::Hello& hello) {
  state.subscribed = true;
  const int64_t now = context_.now();
  auto answered = hello_answered_ms_.find(link);
  if (answered != hello_answered_ms_.end() && now - answered->second < kHelloAnswerGapMs) {
    ++refused_wants_["hello too soon"];
    return;
  }
  hello_answered_ms_[link] = now;
  auto ours = context_.hello();
  if (ours.ok()) {
    // What the client holds of the feeds we hold: where pushes to it may start.
    std::map<PublicKey, uint64_t> held;
    for (const wire::HeadInfo& head : ours->heads) held.emplace(head.author, head.seq);
    for (const wire::HeadInfo& head : hello.heads) {
      if (held.count(head.author) != 0) peer_at_[{link, head.author}] = head.seq;
    }
    context_.send(link, *ours);
  }
  // A client that still holds a feed we froze has not seen the proof (it may have been found
  // before this client subscribed).
  for (const wire::HeadInfo& head : hello.heads) {
    if (context_.storage().isFrozen(head.author)) forks_.offerProof(link, head.author);
  }
}

void Server::onWant(LinkId link, const wire::Want& want) {
  if (!context_.link(link).subscribed) {
    context_.reject(link, "want before hello");
    return;
  }
  if (want.credit == 0 || want.credit > kMaxWantCredit || want.from_seq == 0) {
    context_.reject(link, "bad want");
    return;
  }
  // A frozen feed is not served, except single headers below the fork: the probes by which
  // peers find the earliest seq where two branches differ.
  if (context_.storage().isFrozen(want.author) &&
      (want.credit != 1 || want.from_seq > context_.trust().lastAcceptedSeq(want.author))) {
    return;
  }
  const int64_t now = context_.now();
  switch (credit_.admit(link, want.author, want.from_seq, want.credit, now)) {
    case CreditLedger::Verdict::kOverCap:
      context_.reject(link, "credit exceeded");
      return;
    case CreditLedger::Verdict::kReaskTooSoon:
      ++refused_wants_["re-ask too soon"];
      return;
    case CreditLedger::Verdict::kServe:
      break;
  }
  if (want.headers_only) {
    headers_only_.insert(link);
  } else {
    headers_only_.erase(link);
  }
  const uint64_t sent = serveWant(link, want);
  credit_.served(link, want.author, want.from_seq, sent, now);
  // Probes (one header) say nothing of where the client's feed is.
  if (sent > 0 && want.credit > 1) peer_at_[{link, want.author}] = want.from_seq + sent - 1;
}

Result<std::vector<feed::SignedUpdate>> Server::readServable(const PublicKey& author,
                                                             uint64_t from_seq, size_t max_count,
                                                             size_t max_bytes) {
  EICHUB_ASSIGN_OR_RETURN(auto run,
                          context_.storage().read(author, from_seq, max_count, max_bytes));
  if (run.empty()) run = relay_.read(author, from_seq, max_count, max_bytes);
  return run;
}

void Server::endAtVerifiedSignature(const PublicKey& author, std::vector<feed::SignedUpdate>& run) {
  while (!run.empty()) {
    const feed::SignedUpdate& last = run.back();
    auto fields = feed::decodeHeader(last.header);
    if (fields.ok() &&
        (relay_.endsRun(author, fields->seq, feed::signedHeaderHash(last.header, last.signature)) ||
         crypto::verifySignature(fields->author, last.header, last.signature).ok())) {
      return;
    }
    run.pop_back();
  }
}

uint64_t Server::serveWant(LinkId link, const wire::Want& want) {
  LinkState& state = context_.link(link);
  uint64_t from = want.from_seq;
  uint64_t left = want.credit;
  while (left > 0) {
    auto run = readServable(want.author, from, std::min<uint64_t>(left, wire::kMaxBatchUpdates),
                            wire::kMaxBatchBytes);
    if (!run.ok() || run->empty()) break;
    // Runs received in bulk have only their last signature checked (docs/architecture.md "Feed
    // format 2"); make sure every run we serve ends at a signature that verifies, so receivers can
    // do the same.
    endAtVerifiedSignature(want.author, *run);
    if (run->empty()) break;
    if (want.headers_only) {
      for (feed::SignedUpdate& update : *run) update.body.clear();
    }
    const uint64_t sent = run->size();
    state.stats.updates_sent += sent;
    context_.send(link, wire::Updates{std::move(run).value()});
    from += sent;
    left -= sent;
  }
  return want.credit - left;
}

void Server::onWantBodies(LinkId link, const wire::WantBodies& want) {
  LinkState& state = context_.link(link);
  if (!state.subscribed) {
    context_.reject(link, "want before hello");
    return;
  }
  wire::Bodies out;
  size_t bytes = 0;
  for (const wire::BodyRef& ref : want.refs) {
    wire::BodyItem item{ref, {}};
    if (ref.seq != 0 && !context_.storage().isFrozen(ref.author)) {
      auto held = context_.storage().read(ref.author, ref.seq, 1, wire::kMaxBatchBytes);
      if (held.ok() && !held->empty()) item.body = std::move(held->front().body);
    }
    if (bytes + item.body.size() > wire::kMaxBodiesBytes) {
      context_.send(link, out);
      out.items.clear();
      bytes = 0;
    }
    bytes += item.body.size();
    if (!item.body.empty()) ++state.stats.bodies_sent;
    out.items.push_back(std::move(item));
  }
  if (!out.items.empty()) context_.send(link, out);
}

void Server::announceHeads() {
  auto heads = context_.storage().heads();
  if (!heads.ok()) return;
  for (wire::HeadInfo& head : *heads) {
    if (auto relayed = relay_.head(head.author); relayed && relayed->seq > head.seq) {
      head = *relayed;
    }
    uint64_t& announced = announced_[head.author];
    if (head.seq < announced) announced = head.seq;  // a relayed run's commit failed
    if (head.seq == announced) continue;
    announced = head.seq;
    pushOrAnnounce(head, {});
  }
  for (auto it = have_owed_.begin(); it != have_owed_.end();) {
    const auto& [id, author] = *it;
    auto link = context_.links().find(id);
    auto held = context_.storage().head(author);
    if (relay_.head(author) || !held.ok()) {
      ++it;  // not all committed yet
      continue;
    }
    if (link != context_.links().end() && link->second.subscribed && link->second.stats.up) {
      context_.send(id, wire::Have{{author, held->seq, held->hash}});
    }
    it = have_owed_.erase(it);
  }
}

void Server::announceHead(const PublicKey& author, const std::string& source_key) {
  std::optional<wire::HeadInfo> head = relay_.head(author);
  if (!head) {
    auto held = context_.storage().head(author);
    if (!held.ok() || held->seq == 0) return;
    head = wire::HeadInfo{author, held->seq, held->hash};
  }
  if (context_.storage().isFrozen(author)) return;
  uint64_t& announced = announced_[author];
  if (head->seq <= announced) return;
  announced = head->seq;
  pushOrAnnounce(*head, source_key);
}

std::optional<std::vector<feed::SignedUpdate>> Server::pushRun(const wire::HeadInfo& head,
                                                               uint64_t from_seq) {
  std::vector<feed::SignedUpdate> run;
  size_t bytes = 0;
  for (uint64_t next = from_seq; next <= head.seq;) {
    auto part = readServable(head.author, next, head.seq - next + 1, kMaxPushBytes - bytes);
    if (!part.ok() || part->empty()) return std::nullopt;
    for (feed::SignedUpdate& update : *part) {
      bytes += update.header.size() + update.signature.size() + update.body.size();
      run.push_back(std::move(update));
    }
    if (bytes > kMaxPushBytes) return std::nullopt;  // too much for one push: have instead
    next += part->size();
  }
  if (run.size() != head.seq - from_seq + 1) return std::nullopt;
  const feed::SignedUpdate& last = run.back();
  if (feed::signedHeaderHash(last.header, last.signature) != head.hash) return std::nullopt;
  // Served runs end at a signature that verifies (serveWant): one check per head pushed.
  endAtVerifiedSignature(head.author, run);
  if (run.size() != head.seq - from_seq + 1) return std::nullopt;
  return run;
}

void Server::pushOrAnnounce(const wire::HeadInfo& head, const std::string& skip_key) {
  // Pushes start where the peer furthest behind (within kMaxPushUpdates) is: one read and one
  // signature check serve every link.
  std::optional<uint64_t> from;
  for (const auto& [id, link] : context_.links()) {
    if (!link.subscribed || !link.stats.up) continue;
    if (!skip_key.empty() && link.stats.peer_key == skip_key) continue;
    auto at = peerAt(id, head.author);
    if (at && *at < head.seq && head.seq - *at <= kMaxPushUpdates) {
      from = std::min(from.value_or(*at + 1), *at + 1);
    }
  }
  std::optional<std::vector<feed::SignedUpdate>> run;
  if (from) run = pushRun(head, *from);
  for (auto& [id, link] : context_.links()) {
    if (!link.subscribed || !link.stats.up) continue;
    auto at = peerAt(id, head.author);
    if (!skip_key.empty() && link.stats.peer_key == skip_key) {
      // The run came from this peer: it holds it. It is told we do (its view of our heads,
      // peer_sync's holders) once we do, after the commit: a have now would only wake it while
      // it passes the run on.
      if (at) peer_at_[{id, head.author}] = head.seq;
      have_owed_.emplace(id, head.author);
      continue;
    }
    if (!run || !at || *at + 1 < *from || *at >= head.seq) {
      context_.send(id, wire::Have{head});
      continue;
    }
    wire::Updates push;
    push.updates.assign(run->begin() + static_cast<ptrdiff_t>(*at + 1 - *from), run->end());
    if (headers_only_.count(id) != 0) {
      for (feed::SignedUpdate& update : push.updates) update.body.clear();
    }
    link.stats.updates_sent += push.updates.size();
    ++pushes_sent_;
    peer_at_[{id, head.author}] = head.seq;
    context_.send(id, push);
  }
}

}  // namespace eichub::sync
