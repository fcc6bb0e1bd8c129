// Server: hello answered, wants served under credit, body requests, have announcements.
#include "federation/sync/server.h"

#include <algorithm>
#include <utility>

#include "federation/crypto/ed25519_key.h"

namespace eichub::sync {

Server::Server(SyncContext& context, ForkGuard& forks)
    : context_(context),
      forks_(forks),
      credit_(context.options().want_credit, reaskGapMs(context.options())) {}

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
  if (ours.ok()) context_.send(link, *ours);
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
  credit_.served(link, want.author, want.from_seq, serveWant(link, want), now);
}

uint64_t Server::serveWant(LinkId link, const wire::Want& want) {
  LinkState& state = context_.link(link);
  uint64_t from = want.from_seq;
  uint64_t left = want.credit;
  while (left > 0) {
    auto run = context_.storage().read(
        want.author, from, std::min<uint64_t>(left, wire::kMaxBatchUpdates), wire::kMaxBatchBytes);
    if (!run.ok() || run->empty()) break;
    // Runs received in bulk have only their last signature checked (DESIGN.md 6); make sure
    // every run we serve ends at a signature that verifies, so receivers can do the same.
    while (!run->empty()) {
      const feed::SignedUpdate& last = run->back();
      auto fields = feed::decodeHeader(last.header);
      if (fields.ok() &&
          crypto::verifySignature(fields->author, last.header, last.signature).ok()) {
        break;
      }
      run->pop_back();
    }
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
  for (const wire::HeadInfo& head : *heads) {
    uint64_t& announced = announced_[head.author];
    if (head.seq <= announced) continue;
    announced = head.seq;
    for (const auto& [id, link] : context_.links()) {
      if (link.subscribed && link.stats.up) context_.send(id, wire::Have{head});
    }
  }
}

}  // namespace eichub::sync
