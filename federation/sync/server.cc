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
  auto deferred = deferred_.lower_bound({link, PublicKey{}});
  while (deferred != deferred_.end() && deferred->first.first == link) {
    deferred = deferred_.erase(deferred);
  }
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
  state.zstd_bodies = hello.zstd_bodies;
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
    // The answer is the store's heads. A run still waiting for its commit was announced before
    // this session subscribed (or before it said hello again, which forgets what it was told):
    // the link is owed a have once the run is committed (announceHeads).
    for (const PublicKey& author : relay_.authors()) have_owed_.emplace(link, author);
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
  if (want.credit == 0 || want.credit > kMaxWantCredit || want.from_seq == 0 ||
      want.held_seq >= want.from_seq) {
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
  const CreditLedger::Admission admission =
      credit_.admit(link, want.author, want.from_seq, want.credit, want.held_seq,
                    context_.queuedBytes(link) > 0, now);
  switch (admission.verdict) {
    case CreditLedger::Verdict::kOverCap:
      context_.reject(link, "credit exceeded");
      return;
    case CreditLedger::Verdict::kReaskTooSoon:
      ++refused_wants_["re-ask too soon"];
      return;
    case CreditLedger::Verdict::kAnswerQueued:
      ++refused_wants_["answer still queued"];
      return;
    case CreditLedger::Verdict::kServe:
      break;
  }
  if (want.headers_only) {
    headers_only_.insert(link);
  } else {
    headers_only_.erase(link);
  }
  uint64_t from = admission.from;
  uint64_t count = admission.count;
  if (auto waiting = deferred_.find({link, want.author});
      waiting != deferred_.end() && want.credit > 1) {
    // The rest of an earlier want waits for room: a want that follows on from it (a client
    // pipelines, or restates) is served after it, in order; one that does not replaces it.
    const uint64_t next = credit_.servedTo(link, want.author) + 1;
    const uint64_t end = std::max(waiting->second.end_seq, from + count - 1);
    if (from <= waiting->second.end_seq + 1 && next <= end) {
      from = next;
      count = end - next + 1;
    }
    deferred_.erase(waiting);
  }
  const uint64_t sent = serveRange(link, want.author, from, count, want.headers_only);
  // A fork probe (one header, nothing held stated) says nothing of where the client's feed is;
  // a live want of one update (it states what it holds) does: the next head is pushed to it.
  const bool probe = want.credit == 1 && want.held_seq == 0;
  if (sent > 0 && !probe) peer_at_[{link, want.author}] = from + sent - 1;
  // What the want acknowledged may make room for other feeds' rests.
  resume(link);
}

uint64_t Server::budgetRoom(LinkId link) const {
  const uint64_t budget = context_.options().serve_budget_bytes;
  const uint64_t used = std::max(credit_.unackedBytes(link), context_.queuedBytes(link));
  return used >= budget ? 0 : budget - used;
}

void Server::resumeDeferred() { resume(std::nullopt); }

void Server::resume(std::optional<LinkId> only) {
  auto it = only ? deferred_.lower_bound({*only, PublicKey{}}) : deferred_.begin();
  while (it != deferred_.end() && (!only || it->first.first == *only)) {
    const auto [link, author] = it->first;
    const Deferred rest = it->second;
    auto state = context_.links().find(link);
    if (state == context_.links().end() || !state->second.subscribed || !state->second.stats.up) {
      it = deferred_.erase(it);
      continue;
    }
    if (budgetRoom(link) == 0) {
      ++it;
      continue;
    }
    // serveRange may defer this feed again: under the key just erased, behind the iterator.
    it = deferred_.erase(it);
    const uint64_t from = credit_.servedTo(link, author) + 1;
    if (from > rest.end_seq || context_.storage().isFrozen(author)) continue;
    const uint64_t sent =
        serveRange(link, author, from, rest.end_seq - from + 1, rest.headers_only);
    if (sent > 0) peer_at_[{link, author}] = from + sent - 1;
  }
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

uint64_t Server::serveRange(LinkId link, const PublicKey& author, uint64_t from, uint64_t count,
                            bool headers_only) {
  LinkState& state = context_.link(link);
  const int64_t now = context_.now();
  uint64_t next = from;
  uint64_t left = count;
  while (left > 0) {
    // The room is checked before the store is read, and sizes the read: a client that does not
    // read makes us read no more than the budget (at least one update, when it is all spent by
    // this one: a record larger than the room left still goes, so large records progress).
    const uint64_t room = budgetRoom(link);
    if (room == 0) {
      deferred_[{link, author}] = Deferred{next + left - 1, headers_only};
      ++refused_wants_["byte budget full"];
      break;
    }
    auto run = readServable(author, next, std::min<uint64_t>(left, wire::kMaxBatchUpdates),
                            std::min<uint64_t>(wire::kMaxBatchBytes, room));
    if (!run.ok() || run->empty()) break;
    // Runs received in bulk have only their last signature checked (docs/architecture.md "Feed
    // format 2"); make sure every run we serve ends at a signature that verifies, so receivers can
    // do the same.
    endAtVerifiedSignature(author, *run);
    if (run->empty()) break;
    uint64_t bytes = 0;
    for (feed::SignedUpdate& update : *run) {
      if (headers_only) {
        update.body.clear();
        update.body_zstd.clear();
      }
      bytes += feed::signedBytes(update);
    }
    const uint64_t sent = run->size();
    state.stats.updates_sent += sent;
    context_.send(link, wire::Updates{std::move(run).value()});
    credit_.served(link, author, next, sent, bytes, now);
    next += sent;
    left -= sent;
  }
  return next - from;
}

void Server::onWantBodies(LinkId link, const wire::WantBodies& want) {
  LinkState& state = context_.link(link);
  if (!state.subscribed) {
    context_.reject(link, "want before hello");
    return;
  }
  // Bodies past the room are not read or answered: the client's fetch asks again after its
  // timeout (BodyFetcher), and an honest client asks for no more than the budget in our hello.
  const uint64_t room = budgetRoom(link);
  if (room == 0) {
    ++refused_wants_["byte budget full"];
    return;
  }
  wire::Bodies out;
  size_t bytes = 0;
  uint64_t served = 0;  // body bytes of this answer, against room
  for (const wire::BodyRef& ref : want.refs) {
    wire::BodyItem item{ref, {}};
    if (ref.seq != 0 && !context_.storage().isFrozen(ref.author)) {
      auto held = context_.storage().read(ref.author, ref.seq, 1, wire::kMaxBatchBytes);
      if (held.ok() && !held->empty()) {
        // With its frame, which goes instead to a client that reads frames.
        item.body = std::move(held->front().body);
        item.body_zstd = std::move(held->front().body_zstd);
      }
    }
    if (served > 0 && served + item.body.size() > room) {
      ++refused_wants_["byte budget full"];
      break;
    }
    served += item.body.size();
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

void Server::peerHolds(const std::string& peer_key, const wire::HeadInfo& head) {
  for (const auto& [id, link] : context_.links()) {
    if (link.stats.role != Role::kServer || link.stats.peer_key != peer_key) continue;
    auto at = peer_at_.find({id, head.author});
    if (at != peer_at_.end() && at->second < head.seq) at->second = head.seq;
  }
}

void Server::announceHead(const PublicKey& author, const std::set<std::string>& source_keys) {
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
  pushOrAnnounce(*head, source_keys);
}

std::optional<std::vector<feed::SignedUpdate>> Server::pushRun(const wire::HeadInfo& head,
                                                               uint64_t from_seq) {
  std::vector<feed::SignedUpdate> run;
  size_t bytes = 0;
  for (uint64_t next = from_seq; next <= head.seq;) {
    auto part = readServable(head.author, next, head.seq - next + 1, kMaxPushBytes - bytes);
    if (!part.ok() || part->empty()) return std::nullopt;
    for (feed::SignedUpdate& update : *part) {
      bytes += feed::signedBytes(update);
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

void Server::pushOrAnnounce(const wire::HeadInfo& head, const std::set<std::string>& skip_keys) {
  auto isSource = [&](const LinkState& link) {
    return !link.stats.peer_key.empty() && skip_keys.count(link.stats.peer_key) != 0;
  };
  // Pushes start where the peer furthest behind (within kMaxPushUpdates) is: one read and one
  // signature check serve every link.
  std::optional<uint64_t> from;
  for (const auto& [id, link] : context_.links()) {
    if (!link.subscribed || !link.stats.up) continue;
    if (isSource(link)) continue;
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
    if (isSource(link)) {
      // The run came from this peer: it holds it. It is told we do (its view of our heads,
      // peer_sync's holders) once we do, after the commit: a have now would only wake it while
      // it passes the run on.
      if (at) peer_at_[{id, head.author}] = head.seq;
      have_owed_.emplace(id, head.author);
      continue;
    }
    // A link with no room in its byte budget is told, not pushed to: it pulls when it reads.
    if (!run || !at || *at + 1 < *from || *at >= head.seq || budgetRoom(id) == 0) {
      context_.send(id, wire::Have{head});
      continue;
    }
    wire::Updates push;
    push.updates.assign(run->begin() + static_cast<ptrdiff_t>(*at + 1 - *from), run->end());
    if (headers_only_.count(id) != 0) {
      for (feed::SignedUpdate& update : push.updates) {
        update.body.clear();
        update.body_zstd.clear();
      }
    }
    link.stats.updates_sent += push.updates.size();
    ++pushes_sent_;
    peer_at_[{id, head.author}] = head.seq;
    context_.send(id, push);
  }
}

}  // namespace eichub::sync
