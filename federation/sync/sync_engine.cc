// SyncEngine: hello, want/updates under credit, have announcements, verification before
// anything reaches the writer.
#include "federation/sync/sync_engine.h"

#include <algorithm>

#include "federation/crypto/ed25519_key.h"
#include "federation/crypto/sha256.h"
#include "federation/feed/verify.h"
#include "federation/trust/trust_record.h"

namespace eichub::sync {

namespace {

// The most a want may ask for: bounds what one want makes a server read and send.
constexpr uint32_t kMaxWantCredit = 65'536;
// A re-ask of updates a server already sent on a link is served only this long after its last
// answer there (CreditLedger): an honest client re-asks after a want timeout.
int64_t reaskGapMs(const SyncOptions& options) { return options.want_timeout_ms / 2; }

// How much later than the re-ask gap a client retries after its store refused a batch, so that
// the server's clock, which saw the answer go out first, has passed the gap too.
constexpr int64_t kStoreRetryMarginMs = 250;

}  // namespace

SyncEngine::SyncEngine(SyncOptions options, Storage& storage, const TrustPolicy& trust, SendFn send,
                       ClockFn clock, RejectFn on_reject, EventFn on_event)
    : options_(std::move(options)),
      storage_(storage),
      trust_(trust),
      send_(std::move(send)),
      clock_(std::move(clock)),
      on_reject_(std::move(on_reject)),
      on_event_(std::move(on_event)),
      credit_(options_.want_credit, reaskGapMs(options_)),
      forks_(options_.want_timeout_ms),
      sources_(6 * options_.want_timeout_ms) {}

void SyncEngine::send(LinkId link, const wire::Message& message) {
  send_(link, wire::encode(message));
}

Result<wire::Hello> SyncEngine::ourHello() {
  wire::Hello hello;
  hello.protocol_version = wire::protocolVersion();
  hello.network = options_.network;
  hello.node_id = options_.node_id;
  EICHUB_ASSIGN_OR_RETURN(hello.heads, storage_.heads());
  if (hello.heads.size() > wire::kMaxHelloHeads) hello.heads.resize(wire::kMaxHelloHeads);
  return hello;
}

void SyncEngine::linkUp(LinkId link, Role role, std::string peer_key) {
  Link& state = links_[link];
  state.stats.peer_key = std::move(peer_key);
  state.stats.role = role;
  state.stats.up = true;
  state.stats.last_seen_ms = clock_();
  if (role == Role::kClient) {
    auto hello = ourHello();
    if (hello.ok()) send(link, *hello);
  }
}

void SyncEngine::linkDown(LinkId link) {
  auto it = links_.find(link);
  if (it == links_.end()) return;
  it->second.stats.up = false;
  it->second.subscribed = false;
  it->second.remote_heads.clear();
  it->second.ahead_since_ms.clear();
  it->second.hello_received = false;
  fetcher_.linkDown(link);
  credit_.linkDown(link);
  forks_.linkDown(link);
  sources_.linkDown(link);
  // Pulls from this link move to another source; batches already submitted still complete.
  std::vector<PublicKey> moved;
  for (auto& [author, pull] : pulls_) {
    if (pull.link == link) {
      pull.link = 0;
      pull.requested_to = pull.tail.seq;
      moved.push_back(author);
    }
  }
  for (const PublicKey& author : moved) pullIfBehind(author);
}

void SyncEngine::reject(LinkId link, const std::string& reason) {
  Link& state = links_[link];
  ++state.stats.rejected;
  ++state.stats.rejected_by_reason[reason];
  if (on_reject_) on_reject_(link, reason);
  if (state.stats.rejected % options_.reject_limit == 0) {
    state.throttled_until_ms = clock_() + options_.throttle_ms;
    state.stats.throttled = true;
  }
}

bool SyncEngine::receive(LinkId link, ByteView bytes) {
  Link& state = links_[link];
  int64_t now = clock_();
  if (state.throttled_until_ms > now) return false;
  state.stats.throttled = false;
  state.stats.last_seen_ms = now;
  auto decoded = wire::decode(bytes);
  if (!decoded.ok()) {
    reject(link, "malformed message");
    return state.throttled_until_ms <= now;
  }
  wire::Message& message = *decoded;
  const bool client = state.stats.role == Role::kClient;
  if (auto* hello = std::get_if<wire::Hello>(&message)) {
    onHello(link, state, *hello);
  } else if (auto* have = std::get_if<wire::Have>(&message); have && client) {
    onHave(link, state, have->head);
  } else if (auto* want = std::get_if<wire::Want>(&message); want && !client) {
    onWant(link, *want);
  } else if (auto* updates = std::get_if<wire::Updates>(&message); updates && client) {
    onUpdates(link, *updates);
  } else if (auto* fork = std::get_if<wire::ForkProof>(&message)) {
    onFork(link, *fork);
  } else if (auto* want_bodies = std::get_if<wire::WantBodies>(&message); want_bodies && !client) {
    onWantBodies(link, *want_bodies);
  } else if (auto* bodies = std::get_if<wire::Bodies>(&message); bodies && client) {
    onBodies(link, *bodies);
  } else if (std::holds_alternative<wire::Bye>(message)) {
    state.subscribed = false;
  } else {
    reject(link, std::string("unexpected ") + wire::messageName(message));
  }
  return links_[link].throttled_until_ms <= now;
}

void SyncEngine::onHello(LinkId link, Link& state, const wire::Hello& hello) {
  if (hello.protocol_version != wire::protocolVersion()) {
    // The protocol version is the feed format: a format-1 peer's chain cannot be checked here.
    reject(link, "protocol version");
    if (on_event_) {
      on_event_(
          "event=peer_refused reason=protocol_version peer=" + state.stats.peer_key.substr(0, 16) +
          " peer_format=" + std::to_string(hello.protocol_version) +
          " our_format=" + std::to_string(wire::protocolVersion()) +
          " hint=\"the peer must upgrade: eichub migrate (README, Upgrading)\"");
    }
    send(link, wire::Bye{});
    return;
  }
  if (hello.network != options_.network) {
    reject(link, "other network");
    send(link, wire::Bye{});
    return;
  }
  if (options_.identity_matches &&
      !options_.identity_matches(state.stats.peer_key, hello.node_id)) {
    reject(link, "identity_mismatch");
    send(link, wire::Bye{});
    return;
  }
  if (state.stats.role == Role::kServer) {
    state.subscribed = true;
    auto ours = ourHello();
    if (ours.ok()) send(link, *ours);
    // A client that still holds a feed we froze has not seen the proof (it may have been
    // found before this client subscribed).
    for (const wire::HeadInfo& head : hello.heads) {
      if (storage_.isFrozen(head.author)) offerProof(link, head.author);
    }
    return;
  }
  state.hello_received = true;
  for (const wire::HeadInfo& head : hello.heads) onHave(link, state, head);
}

void SyncEngine::onHave(LinkId link, Link& state, const wire::HeadInfo& head) {
  (void)link;
  if (head.seq == 0) return;
  // Remembered even for authors we do not accept yet: trust may change (see trustChanged).
  wire::HeadInfo& known = state.remote_heads[head.author];
  if (head.seq > known.seq) known = head;
  watchHead(link, head);
  pullIfBehind(head.author);
}

const wire::HeadInfo* SyncEngine::askableHead(const Link& link, const PublicKey& author,
                                              int64_t now) const {
  if (!link.stats.up || link.stats.role != Role::kClient || link.throttled_until_ms > now) {
    return nullptr;
  }
  auto it = link.remote_heads.find(author);
  return it == link.remote_heads.end() ? nullptr : &it->second;
}

uint64_t SyncEngine::highestAnnounced(const PublicKey& author) const {
  const int64_t now = clock_();
  uint64_t highest = 0;
  for (const auto& [id, link] : links_) {
    if (const wire::HeadInfo* head = askableHead(link, author, now)) {
      highest = std::max(highest, head->seq);
    }
  }
  return highest;
}

std::pair<LinkId, uint64_t> SyncEngine::sourceFor(const PublicKey& author,
                                                  uint64_t after_seq) const {
  std::pair<LinkId, uint64_t> best{0, 0};
  std::pair<LinkId, uint64_t> avoided{0, 0};  // used only when no other link has more
  const int64_t now = clock_();
  for (const auto& [id, link] : links_) {
    const wire::HeadInfo* head = askableHead(link, author, now);
    if (head == nullptr || head->seq <= after_seq) continue;
    auto& slot = sources_.avoided(author, id, now) ? avoided : best;
    if (head->seq > slot.second) slot = {id, head->seq};
  }
  return best.first != 0 ? best : avoided;
}

void SyncEngine::pullIfBehind(const PublicKey& author) {
  const uint64_t last_accepted = trust_.lastAcceptedSeq(author);
  if (last_accepted == 0 || storage_.isFrozen(author)) return;
  // Nothing past the author's cut-off is asked for: it would only be refused.
  const uint64_t remote_seq = std::min(highestAnnounced(author), last_accepted);
  auto it = pulls_.find(author);
  if (it == pulls_.end()) {
    auto head = storage_.head(author);
    if (!head.ok() || head->seq >= remote_seq) return;
    Pull pull;
    pull.tail = *head;
    pull.requested_to = head->seq;
    pull.started_at_seq = head->seq;
    pull.started_ms = clock_();
    pull.last_advance_ms = pull.started_ms;
    it = pulls_.emplace(author, pull).first;
    if (on_event_) {
      on_event_("event=sync_start author=" + toHex(author).substr(0, 16) + " from_seq=" +
                std::to_string(head->seq + 1) + " remote_seq=" + std::to_string(remote_seq));
    }
  }
  Pull& pull = it->second;
  auto [source, source_seq] = sourceFor(author, pull.requested_to);
  if (source == 0) return;                  // nobody up has more; wait for a link
  if (clock_() < pull.retry_at_ms) return;  // the store refused a batch; tick() retries
  if (pull.link != source && pull.requested_to > pull.tail.seq) {
    return;  // the current source still owes updates; keep one source per feed at a time
  }
  pull.link = source;
  const uint64_t outstanding = pull.requested_to - pull.tail.seq;
  const uint64_t asked_to = std::min(source_seq, last_accepted);
  if (asked_to <= pull.requested_to || outstanding >= options_.want_credit) return;
  const uint64_t credit = std::min<uint64_t>(options_.want_credit, asked_to - pull.requested_to);
  send(source, wire::Want{author, pull.requested_to + 1, static_cast<uint32_t>(credit),
                          /*headers_only=*/static_cast<bool>(options_.wants_body)});
  pull.requested_to += credit;
  pull.last_progress_ms = clock_();
}

void SyncEngine::offerProof(LinkId link, const PublicKey& author) {
  auto proof = storage_.forkProof(author);
  if (!proof.ok()) return;
  auto fields = feed::decodeHeader(proof->first.header);
  if (fields.ok() && forks_.firstProofFor(link, author, fields->seq)) send(link, *proof);
}

void SyncEngine::watchHead(LinkId link, const wire::HeadInfo& head) {
  if (storage_.isFrozen(head.author)) {
    offerProof(link, head.author);  // the peer still serves a feed we froze
    return;
  }
  if (trust_.lastAcceptedSeq(head.author) == 0) return;
  auto ours = storage_.head(head.author);
  // A head past ours is compared by the pull (its next update must follow our head).
  if (!ours.ok() || ours->seq == 0 || head.seq > ours->seq) return;
  if (head.seq == ours->seq) {
    if (head.hash != ours->hash) probeFork(link, head.author, head.seq);
    return;
  }
  auto held = heldHash(head.author, head.seq);
  if (held && *held != head.hash) probeFork(link, head.author, head.seq);
}

void SyncEngine::probeFork(LinkId link, const PublicKey& author, uint64_t seq) {
  if (seq == 0 || !forks_.startProbe(link, author, seq, clock_())) return;
  send(link, wire::Want{author, seq, 1, /*headers_only=*/true});
}

void SyncEngine::onProbeAnswer(LinkId link, const feed::VerifiedUpdate& theirs) {
  auto ours = heldUpdate(theirs.fields.author, theirs.fields.seq);
  // The same header after all, whatever its signature: no fork here.
  if (!ours || ours->header == theirs.signed_update.header) return;
  forkSeen(link, theirs);
}

std::optional<feed::SignedUpdate> SyncEngine::heldUpdate(const PublicKey& author, uint64_t seq) {
  auto held = storage_.read(author, seq, 1, wire::kMaxBatchBytes);
  if (!held.ok() || held->empty()) return std::nullopt;
  return std::move(held->front());
}

std::optional<Hash32> SyncEngine::heldHash(const PublicKey& author, uint64_t seq) {
  auto held = heldUpdate(author, seq);
  if (!held) return std::nullopt;
  return feed::signedHeaderHash(held->header, held->signature);
}

void SyncEngine::leaveSource(LinkId link) {
  const int64_t now = clock_();
  std::vector<PublicKey> moved;
  for (auto& [author, pull] : pulls_) {
    if (pull.link != link) continue;
    sources_.avoid(author, link, now);
    const LinkId other = sourceFor(author, pull.tail.seq).first;
    // With no other source, stay: the want timeout asks this one again.
    if (other == 0 || other == link) continue;
    pull.link = 0;
    pull.requested_to = pull.tail.seq;
    moved.push_back(author);
  }
  for (const PublicKey& author : moved) {
    sources_.switched();
    if (on_event_) {
      on_event_("event=sync_source_switched author=" + toHex(author).substr(0, 16) +
                " reason=refused_run");
    }
    pullIfBehind(author);
  }
}

void SyncEngine::onWant(LinkId link, const wire::Want& want) {
  Link& state = links_[link];
  if (!state.subscribed) {
    reject(link, "want before hello");
    return;
  }
  if (want.credit == 0 || want.credit > kMaxWantCredit || want.from_seq == 0) {
    reject(link, "bad want");
    return;
  }
  // A frozen feed is not served, except single headers below the fork: the probes by which
  // peers find the earliest seq where two branches differ.
  if (storage_.isFrozen(want.author) &&
      (want.credit != 1 || want.from_seq > trust_.lastAcceptedSeq(want.author))) {
    return;
  }
  const int64_t now = clock_();
  switch (credit_.admit(link, want.author, want.from_seq, want.credit, now)) {
    case CreditLedger::Verdict::kOverCap:
      reject(link, "credit exceeded");
      return;
    case CreditLedger::Verdict::kReaskTooSoon:
      ++refused_wants_["re-ask too soon"];
      return;
    case CreditLedger::Verdict::kServe:
      break;
  }
  credit_.served(link, want.author, want.from_seq, serveWant(link, want), now);
}

uint64_t SyncEngine::serveWant(LinkId link, const wire::Want& want) {
  Link& state = links_[link];
  uint64_t from = want.from_seq;
  uint64_t left = want.credit;
  while (left > 0) {
    auto run = storage_.read(want.author, from, std::min<uint64_t>(left, wire::kMaxBatchUpdates),
                             wire::kMaxBatchBytes);
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
    send(link, wire::Updates{std::move(run).value()});
    from += sent;
    left -= sent;
  }
  return want.credit - left;
}

void SyncEngine::onUpdates(LinkId link, wire::Updates& updates) {
  if (updates.updates.empty()) {
    reject(link, "empty updates");
    return;
  }
  std::vector<feed::VerifiedUpdate> batch;
  batch.reserve(updates.updates.size());
  for (feed::SignedUpdate& update : updates.updates) {
    // Each header decoded and bound to its body here; its signature is vouched for below.
    auto verified = feed::verifyUpdate(std::move(update), options_.network,
                                       feed::SignatureCheck::kDeferToChain);
    if (!verified.ok()) {
      reject(link, "invalid update");
      leaveSource(link);
      return;
    }
    if (!batch.empty() && verified->fields.author != batch.front().fields.author) {
      reject(link, "mixed authors");
      leaveSource(link);
      return;
    }
    batch.push_back(std::move(verified).value());
  }
  // Every link of the run, then the one signature that ends it: prev hashes the previous signed
  // header, so that signature vouches for every header and signature before it (feed format 2).
  // A junk signature in the middle breaks the next link; a bad last one refuses the whole run.
  if (Status run = feed::checkRun(batch); !run.ok()) {
    reject(link, run.code() == Status::Code::kPermissionDenied ? "bad signature" : "broken chain");
    leaveSource(link);
    return;
  }
  const PublicKey author = batch.front().fields.author;
  if (batch.size() == 1 && forks_.takeProbe(link, author, batch.front().fields.seq)) {
    onProbeAnswer(link, batch.front());
    return;
  }
  // Trust before anything else, so that what trust refuses is counted with its reason whether
  // it was asked for or pushed. The first refused update ends the run: what precedes it may be
  // stored, and nothing after it can ever chain (the feed's valid prefix ends there everywhere).
  size_t trusted = 0;
  std::string refusal;
  for (; trusted < batch.size(); ++trusted) {
    const feed::VerifiedUpdate& update = batch[trusted];
    if (std::string_view why = trust_.verdict(update.fields); !why.empty()) {
      refusal = why;
      break;
    }
    if (update.fields.kind == feed::Kind::TRUST && !trust::checkTrustUpdate(update).ok()) {
      refusal = "bad_trust_record";
      break;
    }
  }
  if (trusted == 0) {
    reject(link, refusal);
    return;
  }
  auto pull_it = pulls_.find(author);
  if (pull_it == pulls_.end() || pull_it->second.link != link) {
    // Answers to wants withdrawn from a source we left: dropped without blame.
    if (sources_.avoided(author, link, clock_())) return;
    reject(link, "unsolicited updates");
    return;
  }
  if (trusted < batch.size()) {
    reject(link, refusal);
    batch.resize(trusted);
  }
  Pull& pull = pull_it->second;
  if (pull.retry_at_ms != 0 && batch.front().fields.seq > pull.tail.seq + 1) {
    return;  // answers to wants sent before the store refused a batch: ours to drop, no blame
  }
  // Drop what we already hold (a re-sent run), then every link must chain from the tail.
  auto first_new = std::find_if(batch.begin(), batch.end(), [&](const feed::VerifiedUpdate& u) {
    return u.fields.seq > pull.tail.seq;
  });
  if (first_new != batch.begin()) {
    const feed::VerifiedUpdate& at_tail = *(first_new - 1);
    if (at_tail.fields.seq == pull.tail.seq && at_tail.hash != pull.tail.hash) {
      // The same header under a second valid signature (Ed25519 signatures are not unique) is a
      // duplicate, never a fork (case 5); another header at our tail's seq is a fork.
      auto held = heldUpdate(author, at_tail.fields.seq);
      if (!held || held->header != at_tail.signed_update.header) {
        forkSeen(link, at_tail);
        return;
      }
    }
    // The run is one chain: its copy of our tail, and everything before it, is what we hold.
    if (at_tail.fields.seq == pull.tail.seq) {
      links_[link].stats.duplicates += static_cast<uint64_t>(first_new - batch.begin());
    }
    batch.erase(batch.begin(), first_new);
    if (batch.empty()) return;
  }
  feed::Head head = pull.tail;
  for (const feed::VerifiedUpdate& update : batch) {
    if (!feed::checkLink(head, update.fields).ok()) {
      reject(link, "broken chain");
      if (&update == &batch.front() && head.seq > 0 && update.fields.seq == head.seq + 1) {
        // Their next update does not follow our head. Signed, it already conflicts with the
        // chain we hold (12c): a proof by itself. Their feed may also differ from ours at or
        // before our head (a split view): asking for their copy of it finds the earlier fork
        // point when it differs (onProbeAnswer), and that proof replaces this one.
        if (update.fields.prev != head.hash) chainBreakSeen(link, update);
        probeFork(link, author, head.seq);
      }
      leaveSource(link);
      return;
    }
    if (!storage_.checkBody(update).ok()) {
      reject(link, "invalid record");
      leaveSource(link);
      return;
    }
    head = feed::headAfter(update);
  }
  // After a refusal, ask again only when trust or the source changes.
  if (!refusal.empty()) pull.requested_to = head.seq;
  pull.tail = head;
  pull.last_progress_ms = clock_();
  pull.last_advance_ms = pull.last_progress_ms;
  ++pull.in_flight;
  links_[link].stats.updates_received += batch.size();
  queueMissingBodies(link, batch);
  const uint64_t batch_id = next_batch_id_++;
  batches_[batch_id] = Batch{author, link, batch.size()};
  storage_.submit(batch_id, std::move(batch));
  pullIfBehind(author);
  pumpBodies();
}

void SyncEngine::queueMissingBodies(LinkId link, const std::vector<feed::VerifiedUpdate>& batch) {
  std::set<std::pair<feed::Kind, std::string>> later;  // records touched later in the run
  for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
    const feed::HeaderFields& f = it->fields;
    if (!later.emplace(f.kind, f.id).second) continue;
    if (f.op != feed::Op::UPSERT || !it->signed_update.body.empty() || !wantsBody(f)) {
      continue;
    }
    if (!fetcher_.add(wire::BodyRef{f.author, f.seq}, it->signed_update, link)) {
      scan_needed_ = true;  // the queue is full: find the rest in the store later
    }
  }
}

void SyncEngine::pumpBodies() {
  std::vector<LinkId> up;
  const int64_t now = clock_();
  for (const auto& [id, link] : links_) {
    if (link.stats.up && link.stats.role == Role::kClient && link.throttled_until_ms <= now) {
      up.push_back(id);
    }
  }
  if (up.empty()) return;
  for (auto& [link, want] : fetcher_.requests(up, now)) send(link, want);
}

size_t SyncEngine::fetchBodies(const std::vector<wire::BodyRef>& refs) {
  size_t queued = 0;
  for (const wire::BodyRef& ref : refs) {
    auto held = storage_.read(ref.author, ref.seq, 1, wire::kMaxBatchBytes);
    if (!held.ok() || held->empty() || !held->front().body.empty()) continue;
    if (fetcher_.add(ref, std::move(held->front()), 0)) ++queued;
  }
  pumpBodies();
  return queued;
}

void SyncEngine::scanMissingBodies() {
  auto found = storage_.missingBodies([this](const feed::HeaderFields& f) { return wantsBody(f); },
                                      scan_after_, kMaxPendingBodies);
  if (!found.ok()) return;
  for (auto& [ref, header] : *found) fetcher_.add(ref, std::move(header), 0);
  if (found->size() < kMaxPendingBodies) {
    scan_needed_ = false;
    scan_after_ = {};
  } else {
    scan_after_ = found->back().first;
  }
}

void SyncEngine::onWantBodies(LinkId link, const wire::WantBodies& want) {
  Link& state = links_[link];
  if (!state.subscribed) {
    reject(link, "want before hello");
    return;
  }
  wire::Bodies out;
  size_t bytes = 0;
  for (const wire::BodyRef& ref : want.refs) {
    wire::BodyItem item{ref, {}};
    if (ref.seq != 0 && !storage_.isFrozen(ref.author)) {
      auto held = storage_.read(ref.author, ref.seq, 1, wire::kMaxBatchBytes);
      if (held.ok() && !held->empty()) item.body = std::move(held->front().body);
    }
    if (bytes + item.body.size() > wire::kMaxBodiesBytes) {
      send(link, out);
      out.items.clear();
      bytes = 0;
    }
    bytes += item.body.size();
    if (!item.body.empty()) ++state.stats.bodies_sent;
    out.items.push_back(std::move(item));
  }
  if (!out.items.empty()) send(link, out);
}

void SyncEngine::onBodies(LinkId link, wire::Bodies& bodies) {
  std::vector<feed::VerifiedUpdate> batch;
  for (wire::BodyItem& item : bodies.items) {
    auto fetch = fetcher_.take(link, item.ref);
    if (!fetch) {
      if (!fetcher_.lateAnswer(link, item.ref)) reject(link, "unsolicited body");
      continue;
    }
    if (item.body.empty()) {  // not held there: ask another peer
      fetcher_.retry(std::move(*fetch), link);
      continue;
    }
    feed::SignedUpdate update = fetch->header;
    update.body = std::move(item.body);
    // The header was verified when it arrived; this binds the body to its signed hash.
    auto verified = feed::verifyUpdate(std::move(update), options_.network,
                                       feed::SignatureCheck::kDeferToChain);
    if (!verified.ok()) {
      reject(link, "body hash");
      fetcher_.retry(std::move(*fetch), link);
      continue;
    }
    if (!storage_.checkBody(*verified).ok()) {
      reject(link, "invalid record");
      fetcher_.retry(std::move(*fetch), link);
      continue;
    }
    ++links_[link].stats.bodies_received;
    batch.push_back(std::move(verified).value());
  }
  if (!batch.empty()) {
    const uint64_t batch_id = next_batch_id_++;
    body_batches_[batch_id] = link;
    storage_.submit(batch_id, std::move(batch));
  }
  pumpBodies();
}

void SyncEngine::forkSeen(LinkId link, const feed::VerifiedUpdate& theirs) {
  const feed::HeaderFields& f = theirs.fields;
  auto ours = storage_.read(f.author, f.seq, 1, wire::kMaxBatchBytes);
  if (!ours.ok() || ours->empty()) return;
  wire::ForkProof proof;
  proof.first = {ours->front().header, ours->front().signature, {}};
  proof.second = {theirs.signed_update.header, theirs.signed_update.signature, {}};
  onFork(link, proof);
  // Every node must freeze at the same seq, the first where the branches differ: while their
  // predecessor is not ours either, ask for it too (a walk back, one header per step).
  if (f.seq > 1) {
    auto prev = heldHash(f.author, f.seq - 1);
    if (prev && *prev != f.prev) probeFork(link, f.author, f.seq - 1);
  }
}

void SyncEngine::chainBreakSeen(LinkId link, const feed::VerifiedUpdate& theirs) {
  const feed::HeaderFields& f = theirs.fields;
  auto ours = storage_.read(f.author, f.seq - 1, 1, wire::kMaxBatchBytes);
  // Our header there may still be on its way to the store: the probe decides then.
  if (!ours.ok() || ours->empty() ||
      feed::signedHeaderHash(ours->front().header, ours->front().signature) == f.prev) {
    return;
  }
  wire::ForkProof proof;
  proof.first = {theirs.signed_update.header, theirs.signed_update.signature, {}};
  proof.second = {ours->front().header, ours->front().signature, {}};
  onFork(link, proof);
}

void SyncEngine::onFork(LinkId link, const wire::ForkProof& proof) {
  auto first = feed::verifyUpdate(proof.first, options_.network);
  auto second = feed::verifyUpdate(proof.second, options_.network);
  // Two headers of one seq, or (12c) a header whose prev is not the hash of the author's
  // header just before it: either way the author signed two chains.
  const auto conflicting = [&] {
    const feed::HeaderFields& a = first->fields;
    const feed::HeaderFields& b = second->fields;
    // The same header under two signatures is one update (case 5), not a fork.
    if (a.seq == b.seq) return first->signed_update.header != second->signed_update.header;
    return a.seq == b.seq + 1 && a.prev != second->hash;
  };
  if (!first.ok() || !second.ok() || first->fields.author != second->fields.author ||
      !conflicting()) {
    reject(link, "invalid fork proof");
    return;
  }
  const PublicKey& author = first->fields.author;
  if (storage_.isFrozen(author)) {
    // Kept only when it shows an earlier fork point than ours; a peer that knows a later one
    // is sent ours, so that every node ends frozen at the same seq.
    auto held = storage_.forkProof(author);
    auto held_fields = held.ok() ? feed::decodeHeader(held->first.header)
                                 : Result<feed::HeaderFields>(held.status());
    if (!held_fields.ok() || first->fields.seq >= held_fields->seq) {
      if (held_fields.ok() && first->fields.seq > held_fields->seq &&
          forks_.firstProofFor(link, author, held_fields->seq)) {
        send(link, *held);
      }
      return;
    }
  } else if (trust_.lastAcceptedSeq(author) == 0) {
    return;
  }
  // A proof carries headers only; check them as headers (no body to bind).
  if (storage_.recordFork(proof).ok()) {
    pulls_.erase(first->fields.author);
    // To every peer, both the ones pulling from us and the ones we pull from.
    for (const auto& [id, other] : links_) {
      if (other.subscribed || (other.stats.up && other.stats.role == Role::kClient)) {
        send(id, proof);
      }
    }
  }
}

void SyncEngine::applied(uint64_t batch_id, const Status& status) {
  if (auto bodies = body_batches_.find(batch_id); bodies != body_batches_.end()) {
    const LinkId link = bodies->second;
    body_batches_.erase(bodies);
    if (!status.ok()) reject(link, "store refused bodies");
    return;
  }
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return;
  Batch batch = it->second;
  batches_.erase(it);
  auto pull_it = pulls_.find(batch.author);
  if (status.ok()) {
    if (auto link = links_.find(batch.link); link != links_.end()) {
      link->second.stats.updates_applied += batch.count;
    }
  } else {
    // Only verified batches reach the store, so its refusal is ours (disk or map full), not
    // the peer's: counting it as a rejection would throttle an honest peer.
    ++store_failures_;
  }
  if (pull_it != pulls_.end()) {
    Pull& pull = pull_it->second;
    if (pull.in_flight > 0) --pull.in_flight;
    if (!status.ok()) {
      // Start again from what the store holds, but not at once: pulling and verifying the
      // same updates again in a loop while the disk stays full would only burn CPU. The retry
      // re-asks for what the server just sent, which it serves only after its re-ask gap.
      auto head = storage_.head(batch.author);
      if (head.ok()) pull.tail = *head;
      pull.requested_to = pull.tail.seq;
      pull.retry_at_ms =
          clock_() + std::max(options_.store_retry_ms, reaskGapMs(options_) + kStoreRetryMarginMs);
    }
    const uint64_t remote_seq =
        std::min(highestAnnounced(batch.author), trust_.lastAcceptedSeq(batch.author));
    if (pull.in_flight == 0 && pull.tail.seq >= remote_seq && pull.requested_to <= pull.tail.seq) {
      if (on_event_) {
        on_event_("event=sync_done author=" + toHex(batch.author).substr(0, 16) +
                  " updates=" + std::to_string(pull.tail.seq - pull.started_at_seq) +
                  " head_seq=" + std::to_string(pull.tail.seq) +
                  " ms=" + std::to_string(clock_() - pull.started_ms));
      }
      pulls_.erase(pull_it);
    } else {
      pullIfBehind(batch.author);
    }
  }
  if (status.ok()) localHeadsChanged();
}

void SyncEngine::localHeadsChanged() {
  auto heads = storage_.heads();
  if (!heads.ok()) return;
  for (const wire::HeadInfo& head : *heads) {
    uint64_t& announced = announced_[head.author];
    if (head.seq <= announced) continue;
    announced = head.seq;
    for (const auto& [id, link] : links_) {
      if (link.subscribed && link.stats.up) send(id, wire::Have{head});
    }
  }
}

void SyncEngine::trustChanged() {
  std::set<PublicKey> authors;
  for (const auto& [id, link] : links_) {
    for (const auto& [author, head] : link.remote_heads) authors.insert(author);
  }
  for (const PublicKey& author : authors) pullIfBehind(author);
}

void SyncEngine::tick() {
  const int64_t now = clock_();
  std::vector<std::pair<PublicKey, LinkId>> stalled;  // and the source that stalled
  for (auto& [author, pull] : pulls_) {
    if (pull.in_flight == 0 && pull.requested_to > pull.tail.seq &&
        now - pull.last_progress_ms > options_.want_timeout_ms) {
      // No progress from this source within the timeout: another peer that announces the
      // feed is asked instead, if there is one (it trickles, withholds or never finishes).
      if (pull.link != 0) sources_.avoid(author, pull.link, now);
      stalled.emplace_back(author, pull.link);
      pull.requested_to = pull.tail.seq;
      pull.link = 0;
    } else if (pull.retry_at_ms != 0 && now >= pull.retry_at_ms) {
      pull.retry_at_ms = 0;
      stalled.emplace_back(author, 0);
    }
  }
  for (const auto& [author, before] : stalled) {
    pullIfBehind(author);
    auto it = pulls_.find(author);
    if (before != 0 && it != pulls_.end() && it->second.link != 0 && it->second.link != before) {
      sources_.switched();
      if (on_event_) {
        on_event_("event=sync_source_switched author=" + toHex(author).substr(0, 16) +
                  " reason=progress_timeout");
      }
    }
  }
  // A link whose throttle ended may be the only peer announcing feeds we are behind on, or that
  // were admitted meanwhile: it announces nothing new, so nothing else would ask it again. (A
  // peer that pushed an unadmitted author's runs gets throttled for them; without this the feed
  // was never pulled once admitted, case 6.)
  std::vector<PublicKey> unthrottled;
  for (auto& [id, link] : links_) {
    if (link.throttled_until_ms == 0 || link.throttled_until_ms > now) continue;
    link.throttled_until_ms = 0;
    link.stats.throttled = false;
    for (const auto& [author, head] : link.remote_heads) unthrottled.push_back(author);
  }
  for (const PublicKey& author : unthrottled) pullIfBehind(author);
  fetcher_.expire(now, options_.want_timeout_ms);
  if (scan_needed_ && fetcher_.pending() == 0 && pulls_.empty()) {
    const bool client_up = std::any_of(links_.begin(), links_.end(), [](const auto& entry) {
      return entry.second.stats.up && entry.second.stats.role == Role::kClient;
    });
    if (client_up) scanMissingBodies();
  }
  pumpBodies();
}

bool SyncEngine::wantsBody(const feed::HeaderFields& header) const {
  return !options_.wants_body || options_.wants_body(header);
}

void SyncEngine::setBodyFilter(BodyFilter wants_body) {
  options_.wants_body = std::move(wants_body);
  scan_needed_ = true;
  scan_after_ = {};
}

Result<std::vector<PeerHeads>> SyncEngine::peerHeads() {
  EICHUB_ASSIGN_OR_RETURN(std::vector<wire::HeadInfo> local, storage_.heads());
  std::map<PublicKey, uint64_t> held;
  for (const wire::HeadInfo& head : local) held[head.author] = head.seq;
  const int64_t now = clock_();
  std::vector<PeerHeads> out;
  for (auto& [id, link] : links_) {
    if (link.stats.role != Role::kClient) continue;
    PeerHeads peer{link.stats.peer_key, link.stats.up, link.hello_received, {}};
    for (const auto& [author, head] : link.remote_heads) {
      auto local_seq = held.find(author);
      const uint64_t accepted = std::min(head.seq, trust_.lastAcceptedSeq(author));
      const bool ahead = accepted > (local_seq == held.end() ? 0 : local_seq->second);
      int64_t since = 0;
      if (ahead) {
        since = link.ahead_since_ms.try_emplace(author, now).first->second;
      } else {
        link.ahead_since_ms.erase(author);
      }
      peer.heads.push_back({author, head.seq, accepted, since});
    }
    out.push_back(std::move(peer));
  }
  return out;
}

std::vector<LinkStats> SyncEngine::linkStats() const {
  std::vector<LinkStats> out;
  for (const auto& [id, link] : links_) out.push_back(link.stats);
  return out;
}

Result<std::vector<FeedSyncState>> SyncEngine::feedStates() {
  EICHUB_ASSIGN_OR_RETURN(std::vector<wire::HeadInfo> heads, storage_.heads());
  std::map<PublicKey, FeedSyncState> states;
  for (const wire::HeadInfo& head : heads) {
    states[head.author] = FeedSyncState{head.author, head.seq, head.seq};
  }
  for (const auto& [id, link] : links_) {
    for (const auto& [author, head] : link.remote_heads) {
      FeedSyncState& state = states[author];
      state.author = author;
      state.best_remote_seq = std::max(state.best_remote_seq, head.seq);
    }
  }
  const int64_t now = clock_();
  std::vector<FeedSyncState> out;
  for (auto& [author, state] : states) {
    const uint64_t wanted = std::min(state.best_remote_seq, trust_.lastAcceptedSeq(author));
    if (wanted > state.local_seq && !storage_.isFrozen(author)) {
      auto pull = pulls_.find(author);
      state.stale =
          pull == pulls_.end() || now - pull->second.last_advance_ms >= options_.stale_after_ms;
    }
    out.push_back(state);
  }
  return out;
}

uint64_t SyncEngine::pendingUpdates() const {
  uint64_t total = 0;
  for (const auto& [id, batch] : batches_) total += batch.count;
  return total;
}

}  // namespace eichub::sync
