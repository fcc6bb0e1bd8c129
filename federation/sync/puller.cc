// Puller: feeds pulled from the peers that announce them, runs verified and handed to the store.
#include "federation/sync/puller.h"

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <string_view>

#include "federation/feed/verify.h"
#include "federation/trust/trust_record.h"
#include "federation/trust/trust_state.h"

namespace eichub::sync {

namespace {

// How much later than the re-ask gap a client retries after its store refused a batch, so that
// the server's clock, which saw the answer go out first, has passed the gap too.
constexpr int64_t kStoreRetryMarginMs = 250;

}  // namespace

Puller::Puller(SyncContext& context, ForkGuard& forks, BodyPump& bodies, RelayBuffer& relay,
               RunFn on_run)
    : context_(context),
      forks_(forks),
      bodies_(bodies),
      relay_(relay),
      on_run_(std::move(on_run)),
      sources_(6 * context.options().want_timeout_ms) {}

void Puller::onHello(LinkId link, LinkState& state, const wire::Hello& hello) {
  state.hello_received = true;
  state.unaccepted_heads.clear();  // the hello tells them all again
  state.heads_dropped = false;
  for (const wire::HeadInfo& head : hello.heads) onHave(link, state, head);
}

void Puller::onHave(LinkId link, LinkState& state, const wire::HeadInfo& head) {
  if (head.seq == 0) return;
  auto known = state.remote_heads.find(head.author);
  if (known == state.remote_heads.end()) {
    if (context_.trust().lastAcceptedSeq(head.author) == 0) {
      // Kept apart and bounded: trust may admit the author later (see trustChanged), but a peer
      // announcing random authors must not grow our memory (issue 17, finding 2).
      auto unaccepted = state.unaccepted_heads.find(head.author);
      if (unaccepted == state.unaccepted_heads.end()) {
        if (state.unaccepted_heads.size() >= kMaxUnacceptedHeadsPerLink) {
          state.heads_dropped = true;
          return;
        }
        unaccepted = state.unaccepted_heads.emplace(head.author, wire::HeadInfo{}).first;
      }
      if (head.seq > unaccepted->second.seq) unaccepted->second = head;
      forks_.watchHead(link, head);  // a frozen feed's proof is offered whoever the author
      return;
    }
    if (state.remote_heads.size() >= kMaxRemoteHeadsPerLink) {
      state.heads_dropped = true;
      return;
    }
    known = state.remote_heads.emplace(head.author, wire::HeadInfo{}).first;
  }
  if (head.seq > known->second.seq) known->second = head;
  forks_.watchHead(link, head);
  pullIfBehind(head.author);
}

void Puller::onPushAnnounced(LinkId link, LinkState& state, const wire::Updates& updates) {
  if (updates.updates.empty()) return;
  const feed::SignedUpdate& last = updates.updates.back();
  auto fields = feed::decodeHeader(last.header);
  if (!fields.ok()) return;
  onHave(link, state,
         {fields->author, fields->seq, feed::signedHeaderHash(last.header, last.signature)});
}

uint64_t Puller::pullableTo(const PublicKey& author) const {
  const uint64_t last_accepted = context_.trust().lastAcceptedSeq(author);
  auto refused = refused_.find(author);
  if (refused == refused_.end() ||
      !(refused->second.invalid_record || refused->second.over_byte_quota)) {
    return last_accepted;
  }
  return std::min(last_accepted, refused->second.seq - 1);
}

std::pair<LinkId, uint64_t> Puller::sourceFor(const PublicKey& author, uint64_t after_seq) const {
  std::pair<LinkId, uint64_t> best{0, 0};
  std::pair<LinkId, uint64_t> avoided{0, 0};  // used only when no other link has more
  const int64_t now = context_.now();
  for (const auto& [id, link] : context_.links()) {
    const wire::HeadInfo* head = context_.askableHead(link, author, now);
    if (head == nullptr || head->seq <= after_seq) continue;
    auto& slot = sources_.avoided(author, id, now) ? avoided : best;
    if (head->seq > slot.second) slot = {id, head->seq};
  }
  return best.first != 0 ? best : avoided;
}

void Puller::pullIfBehind(const PublicKey& author) {
  const SyncOptions& options = context_.options();
  Storage& storage = context_.storage();
  const uint64_t last_accepted = pullableTo(author);
  if (last_accepted == 0 || storage.isFrozen(author)) return;
  // Nothing past the author's cut-off is asked for: it would only be refused.
  const uint64_t remote_seq = std::min(context_.highestAnnounced(author), last_accepted);
  auto it = pulls_.find(author);
  if (it == pulls_.end()) {
    auto head = storage.head(author);
    if (!head.ok() || head->seq >= remote_seq) return;
    Pull pull;
    pull.tail = *head;
    pull.requested_to = head->seq;
    pull.started_at_seq = head->seq;
    pull.started_ms = context_.now();
    pull.last_advance_ms = pull.started_ms;
    it = pulls_.emplace(author, pull).first;
    context_.event("event=sync_start author=" + toHex(author).substr(0, 16) + " from_seq=" +
                   std::to_string(head->seq + 1) + " remote_seq=" + std::to_string(remote_seq));
  }
  Pull& pull = it->second;
  auto [source, source_seq] = sourceFor(author, pull.requested_to);
  if (source == 0) return;                        // nobody up has more; wait for a link
  if (context_.now() < pull.retry_at_ms) return;  // the store refused a batch; tick() retries
  if (pull.link != source && pull.requested_to > pull.tail.seq) {
    return;  // the current source still owes updates; keep one source per feed at a time
  }
  pull.link = source;
  // Two windows. What was asked and not received: another want once it is under one credit,
  // so one is on the way while the last is read. And that plus what was verified and not yet
  // committed, at most kUncommittedWantCredits credits: a writer behind (a slow disk) stops the
  // asking, so the updates waiting for it stay bounded rather than the whole remote feed, while
  // one group being committed (up to 8 MiB, about one credit of 1 KiB updates) does not stop
  // the network.
  const uint64_t not_received = pull.requested_to - pull.tail.seq;
  const uint64_t not_committed = not_received + pull.in_flight_updates;
  const uint64_t asked_to = std::min(source_seq, last_accepted);
  if (asked_to <= pull.requested_to || not_received >= options.want_credit ||
      not_committed + options.want_credit > kUncommittedWantCredits * options.want_credit) {
    return;
  }
  const uint64_t credit = std::min<uint64_t>(options.want_credit, asked_to - pull.requested_to);
  context_.send(source, wire::Want{author, pull.requested_to + 1, static_cast<uint32_t>(credit),
                                   /*headers_only=*/static_cast<bool>(options.wants_body),
                                   /*held_seq=*/pull.tail.seq});
  pull.requested_to += credit;
  pull.last_progress_ms = context_.now();
}

void Puller::leaveSource(LinkId link) {
  const int64_t now = context_.now();
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
    context_.event("event=sync_source_switched author=" + toHex(author).substr(0, 16) +
                   " reason=refused_run");
    pullIfBehind(author);
  }
}

void Puller::onUpdates(LinkId link, wire::Updates& updates) {
  if (updates.updates.empty()) {
    context_.reject(link, "empty updates");
    return;
  }
  std::vector<feed::VerifiedUpdate> batch;
  batch.reserve(updates.updates.size());
  for (feed::SignedUpdate& update : updates.updates) {
    // Each header decoded and bound to its body here; its signature is vouched for below.
    auto verified = feed::verifyUpdate(std::move(update), context_.options().network,
                                       feed::SignatureCheck::kDeferToChain);
    if (!verified.ok()) {
      context_.reject(link, "invalid update");
      leaveSource(link);
      return;
    }
    if (!batch.empty() && verified->fields.author != batch.front().fields.author) {
      context_.reject(link, "mixed authors");
      leaveSource(link);
      return;
    }
    batch.push_back(std::move(verified).value());
  }
  // Every link of the run, then the one signature that ends it: prev hashes the previous signed
  // header, so that signature vouches for every header and signature before it (feed format 2).
  // A junk signature in the middle breaks the next link; a bad last one refuses the whole run.
  if (Status run = feed::checkRun(batch); !run.ok()) {
    context_.reject(
        link, run.code() == Status::Code::kPermissionDenied ? "bad signature" : "broken chain");
    leaveSource(link);
    return;
  }
  const PublicKey author = batch.front().fields.author;
  if (batch.size() == 1 && forks_.answerProbe(link, batch.front())) return;
  if (auto cut = refused_.find(author); cut != refused_.end() && cut->second.link == link &&
                                        batch.front().fields.seq >= cut->second.seq &&
                                        batch.back().fields.seq <= cut->second.asked_to) {
    return;  // the rest of a run we cut: answers to wants sent before, no blame (finding 3)
  }
  // Trust before anything else, so that what trust refuses is counted with its reason whether
  // it was asked for or pushed. The first refused update ends the run: what precedes it may be
  // stored, and nothing after it can ever chain (the feed's valid prefix ends there everywhere).
  size_t trusted = 0;
  std::string refusal;
  for (; trusted < batch.size(); ++trusted) {
    const feed::VerifiedUpdate& update = batch[trusted];
    if (std::string_view why = context_.trust().verdict(update.fields); !why.empty()) {
      refusal = why;
      break;
    }
    if (update.fields.kind == feed::kTrustKind && !trust::checkTrustUpdate(update).ok()) {
      refusal = "bad_trust_record";
      break;
    }
  }
  if (trusted == 0) {
    context_.reject(link, refusal);
    if (auto pull = pulls_.find(author); pull != pulls_.end() && pull->second.link == link) {
      refused_[author] = Refusal{link, batch.front().fields.seq, pull->second.requested_to, false};
    }
    return;
  }
  auto pull_it = pulls_.find(author);
  Pull* pull = nullptr;
  bool pushed = false;
  if (pull_it != pulls_.end() && pull_it->second.link == link) {
    pull = &pull_it->second;
  } else if (sources_.avoided(author, link, context_.now())) {
    // From a source we left: an answer to a want we withdrew, or a push. Not taken and not
    // blamed, but its head is pulled as if announced: the only source of a feed is left for a
    // while when it stalls, and a push it makes meanwhile was lost until the feed's next update.
    const feed::VerifiedUpdate& last = batch.back();
    onHave(link, context_.link(link), {author, last.fields.seq, last.hash});
    return;
  } else {
    if (trusted < batch.size()) {
      context_.reject(link, refusal);
      batch.resize(trusted);
      refusal.clear();
    }
    pull = acceptPush(link, batch);
    if (pull == nullptr) return;
    pushed = true;
  }
  if (trusted < batch.size()) {
    context_.reject(link, refusal);
    refused_[author] = Refusal{link, batch[trusted].fields.seq, pull->requested_to, false};
    batch.resize(trusted);
  }
  if (pull->retry_at_ms != 0 && batch.front().fields.seq > pull->tail.seq + 1) {
    return;  // answers to wants sent before the store refused a batch: ours to drop, no blame
  }
  storeRun(link, *pull, batch, std::move(refusal), pushed);
}

Puller::Pull* Puller::acceptPush(LinkId link, std::vector<feed::VerifiedUpdate>& batch) {
  LinkState& state = context_.link(link);
  const size_t bytes = feed::signedBytes(batch);
  if (batch.size() > kMaxPushUpdates || bytes > kMaxPushBytes) {
    context_.reject(link, "push too large");
    return nullptr;
  }
  const feed::VerifiedUpdate& last = batch.back();
  const PublicKey author = last.fields.author;
  const wire::HeadInfo announced{author, last.fields.seq, last.hash};
  auto pull_it = pulls_.find(author);
  feed::Head tail;
  if (pull_it != pulls_.end()) {
    tail = pull_it->second.tail;
  } else {
    auto held = context_.storage().head(author);
    if (!held.ok()) return nullptr;
    tail = *held;
  }
  if (last.fields.seq <= tail.seq) {
    // Held already (another peer was faster): a duplicate when it is our update at that seq;
    // otherwise a split view, which the announcement lets ForkGuard probe.
    const bool ours = last.fields.seq == tail.seq
                          ? last.hash == tail.hash
                          : context_.heldHash(author, last.fields.seq) == last.hash;
    if (ours) {
      state.stats.duplicates += batch.size();
    } else {
      onHave(link, state, announced);
    }
    return nullptr;
  }
  const bool links = batch.front().fields.seq <= tail.seq + 1;
  const bool busy = pull_it != pulls_.end() && (pull_it->second.retry_at_ms != 0 ||
                                                pull_it->second.in_flight_updates + batch.size() >
                                                    context_.options().want_credit);
  if (!links || busy || context_.storage().isFrozen(author)) {
    // Not taken, without blame: the sender's idea of what we hold was stale (or we are at our
    // limit for this feed). Its head is pulled as if it had sent have.
    if (!links) ++state.stats.pushes_unlinked;
    onHave(link, state, announced);
    return nullptr;
  }
  if (pull_it == pulls_.end()) {
    Pull pull;
    pull.link = link;
    pull.tail = tail;
    pull.requested_to = tail.seq;
    pull.started_at_seq = tail.seq;
    pull.started_ms = context_.now();
    pull.last_advance_ms = pull.started_ms;
    pull.live = true;
    pull_it = pulls_.emplace(author, pull).first;
  }
  // The push is also the peer's announcement of its head (kept as a have is).
  if (auto known = state.remote_heads.find(author);
      known != state.remote_heads.end() && known->second.seq < announced.seq) {
    known->second = announced;
  } else if (known == state.remote_heads.end() &&
             state.remote_heads.size() < kMaxRemoteHeadsPerLink) {
    state.remote_heads.emplace(author, announced);
  }
  return &pull_it->second;
}

void Puller::storeRun(LinkId link, Pull& pull, std::vector<feed::VerifiedUpdate>& batch,
                      std::string refusal, bool pushed) {
  const PublicKey author = batch.front().fields.author;
  // Drop what we already hold (a re-sent run), then every link must chain from the tail.
  auto first_new = std::find_if(batch.begin(), batch.end(), [&](const feed::VerifiedUpdate& u) {
    return u.fields.seq > pull.tail.seq;
  });
  if (first_new != batch.begin()) {
    const feed::VerifiedUpdate& at_tail = *(first_new - 1);
    if (at_tail.fields.seq == pull.tail.seq && at_tail.hash != pull.tail.hash) {
      // The same header under a second valid signature (Ed25519 signatures are not unique) is a
      // duplicate, never a fork (case 5); another header at our tail's seq is a fork.
      auto held = context_.heldUpdate(author, at_tail.fields.seq);
      if (!held) return;
      if (held->header != at_tail.signed_update.header) {
        forks_.forkSeen(link, at_tail, *held);
        return;
      }
    }
    // The run is one chain: its copy of our tail, and everything before it, is what we hold.
    if (at_tail.fields.seq == pull.tail.seq) {
      context_.link(link).stats.duplicates += static_cast<uint64_t>(first_new - batch.begin());
    }
    batch.erase(batch.begin(), first_new);
    if (batch.empty()) return;
  }
  feed::Head head = pull.tail;
  size_t valid = 0;
  for (; valid < batch.size(); ++valid) {
    const feed::VerifiedUpdate& update = batch[valid];
    if (!feed::checkLink(head, update.fields).ok()) {
      context_.reject(link, "broken chain");
      if (&update == &batch.front() && head.seq > 0 && update.fields.seq == head.seq + 1) {
        // Their next update does not follow our head. Signed, it already conflicts with the
        // chain we hold (12c): a proof by itself. Their feed may also differ from ours at or
        // before our head (a split view): asking for their copy of it finds the earlier fork
        // point when it differs (ForkGuard::answerProbe), and that proof replaces this one.
        if (update.fields.prev != head.hash) forks_.chainBreakSeen(link, update);
        forks_.probeFork(link, author, head.seq);
      }
      leaveSource(link);
      return;
    }
    // The byte quota, judged here where the tail's bytes are known: a cut-off before the first
    // update that takes the feed past it, on every node alike.
    if (std::string_view why =
            context_.trust().byteVerdict(author, head.bytes + update.fields.body_size);
        !why.empty()) {
      refusal = why;
      if (why == trust::reason::kLocalBudget) {
        overLocalBudget(author, update.fields.seq, batch.size() - valid);
      } else {
        context_.reject(link, refusal);
      }
      refused_[author] = Refusal{link, update.fields.seq, pull.requested_to, false, true};
      break;
    }
    if (!context_.storage().checkBody(update).ok()) {
      // The author signed a record this node refuses: every source serves the same bytes, so
      // the feed's valid prefix ends here. One count; what precedes it is stored; nothing from
      // it on is asked again, of this source or another (finding 3).
      context_.reject(link, "invalid record");
      refused_[author] = Refusal{link, update.fields.seq, pull.requested_to, true};
      refusal = "invalid record";
      break;
    }
    head = feed::headAfter(head, update);
  }
  batch.resize(valid);
  // After a refusal, ask again only when trust or the source changes.
  if (!refusal.empty()) pull.requested_to = head.seq;
  if (batch.empty()) {
    finishIfDone(author);
    return;
  }
  pull.tail = head;
  // A pushed run may pass what was asked: nothing before the tail is owed any more.
  pull.requested_to = std::max(pull.requested_to, head.seq);
  pull.last_progress_ms = context_.now();
  pull.last_advance_ms = pull.last_progress_ms;
  ++pull.in_flight;
  pull.in_flight_updates += batch.size();
  context_.link(link).stats.updates_received += batch.size();
  if (pushed) context_.link(link).stats.updates_pushed += batch.size();
  bodies_.queueMissing(link, batch);
  const uint64_t batch_id = context_.nextBatchId();
  batches_[batch_id] = Batch{author, link, batch.size()};
  // Passed on before the writer starts its commit: the peers verify it themselves.
  relay_.hold(batch_id, batch);
  if (on_run_) on_run_(link, author);
  context_.storage().submit(batch_id, std::move(batch));
  const uint64_t requested_before = pull.requested_to;
  pullIfBehind(author);
  if (pull.requested_to == requested_before) restateWant(link, pull, author);
  bodies_.pump();
}

void Puller::overLocalBudget(const PublicKey& author, uint64_t seq, uint64_t count) {
  auto [it, first] = over_local_budget_.try_emplace(author, 0);
  it->second += count;
  if (first) {  // once per author: the feed stays cut here until the budget or trust changes
    context_.event("event=local_budget author=" + toHex(author) + " seq=" + std::to_string(seq));
  }
}

void Puller::restateWant(LinkId link, Pull& pull, const PublicKey& author) {
  const SyncOptions& options = context_.options();
  if (pull.link != link || pull.requested_to <= pull.tail.seq || pull.retry_at_ms != 0) return;
  if (context_.link(link).serve_budget_bytes == 0) return;  // an older server: a re-ask
  const uint64_t credit =
      std::min<uint64_t>(pull.requested_to - pull.tail.seq, 2 * uint64_t{options.want_credit});
  context_.send(link, wire::Want{author, pull.tail.seq + 1, static_cast<uint32_t>(credit),
                                 /*headers_only=*/static_cast<bool>(options.wants_body),
                                 /*held_seq=*/pull.tail.seq});
}

bool Puller::applied(uint64_t batch_id, const Status& status) {
  auto it = batches_.find(batch_id);
  if (it == batches_.end()) return false;
  Batch batch = it->second;
  batches_.erase(it);
  auto pull_it = pulls_.find(batch.author);
  if (status.ok()) {
    auto& links = context_.links();
    if (auto link = links.find(batch.link); link != links.end()) {
      link->second.stats.updates_applied += batch.count;
    }
    relay_.committed(batch_id);
  } else {
    // Only verified batches reach the store, so its refusal is ours (disk or map full), not
    // the peer's: counting it as a rejection would throttle an honest peer.
    ++store_failures_;
    relay_.failed(batch_id);
  }
  if (pull_it != pulls_.end()) {
    Pull& pull = pull_it->second;
    if (pull.in_flight > 0) --pull.in_flight;
    pull.in_flight_updates -= std::min(pull.in_flight_updates, batch.count);
    const SyncOptions& options = context_.options();
    if (!status.ok()) {
      // Start again from what the store holds, but not at once: pulling and verifying the
      // same updates again in a loop while the disk stays full would only burn CPU. The retry
      // re-asks for what the server just sent, which it serves only after its re-ask gap.
      auto head = context_.storage().head(batch.author);
      if (head.ok()) pull.tail = *head;
      pull.requested_to = pull.tail.seq;
      pull.retry_at_ms = context_.now() + std::max(options.store_retry_ms,
                                                   reaskGapMs(options) + kStoreRetryMarginMs);
    }
    finishIfDone(batch.author);
    if (pulls_.count(batch.author) != 0) pullIfBehind(batch.author);
  }
  return true;
}

void Puller::finishIfDone(const PublicKey& author) {
  auto it = pulls_.find(author);
  if (it == pulls_.end()) return;
  const Pull& pull = it->second;
  const uint64_t remote_seq = std::min(context_.highestAnnounced(author), pullableTo(author));
  if (pull.in_flight != 0 || pull.tail.seq < remote_seq || pull.requested_to > pull.tail.seq) {
    return;
  }
  if (pull.live) {
    pulls_.erase(it);
    return;
  }
  context_.event("event=sync_done author=" + toHex(author).substr(0, 16) +
                 " updates=" + std::to_string(pull.tail.seq - pull.started_at_seq) +
                 " head_seq=" + std::to_string(pull.tail.seq) +
                 " ms=" + std::to_string(context_.now() - pull.started_ms));
  pulls_.erase(it);
}

void Puller::linkDown(LinkId link) {
  sources_.linkDown(link);
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

void Puller::tick(int64_t now_ms) {
  std::vector<std::pair<PublicKey, LinkId>> stalled;  // and the source that stalled
  for (auto& [author, pull] : pulls_) {
    if (pull.in_flight == 0 && pull.requested_to > pull.tail.seq &&
        now_ms - pull.last_progress_ms > context_.options().want_timeout_ms) {
      // No progress from this source within the timeout: another peer that announces the
      // feed is asked instead, if there is one (it trickles, withholds or never finishes).
      if (pull.link != 0) sources_.avoid(author, pull.link, now_ms);
      stalled.emplace_back(author, pull.link);
      pull.requested_to = pull.tail.seq;
      pull.link = 0;
    } else if (pull.retry_at_ms != 0 && now_ms >= pull.retry_at_ms) {
      pull.retry_at_ms = 0;
      stalled.emplace_back(author, 0);
    }
  }
  for (const auto& [author, before] : stalled) {
    pullIfBehind(author);
    auto it = pulls_.find(author);
    if (before != 0 && it != pulls_.end() && it->second.link != 0 && it->second.link != before) {
      sources_.switched();
      context_.event("event=sync_source_switched author=" + toHex(author).substr(0, 16) +
                     " reason=progress_timeout");
    }
  }
}

int64_t Puller::nextTickMs() const {
  int64_t next = std::numeric_limits<int64_t>::max();
  for (const auto& [author, pull] : pulls_) {
    if (pull.in_flight == 0 && pull.requested_to > pull.tail.seq) {
      next = std::min(next, pull.last_progress_ms + context_.options().want_timeout_ms + 1);
    } else if (pull.retry_at_ms != 0) {
      next = std::min(next, pull.retry_at_ms);
    }
  }
  return next;
}

void Puller::trustChanged() {
  // A trust refusal may be lifted: its pull asks again from where it was cut.
  std::erase_if(refused_, [](const auto& entry) { return !entry.second.invalid_record; });
  std::set<PublicKey> authors;
  for (auto& [id, link] : context_.links()) {
    for (auto it = link.unaccepted_heads.begin(); it != link.unaccepted_heads.end();) {
      if (context_.trust().lastAcceptedSeq(it->first) == 0 ||
          link.remote_heads.size() >= kMaxRemoteHeadsPerLink) {
        ++it;
        continue;
      }
      link.remote_heads[it->first] = it->second;
      it = link.unaccepted_heads.erase(it);
    }
    for (const auto& [author, head] : link.remote_heads) authors.insert(author);
    // Heads this link announced that were not kept may be of authors admitted now. One hello
    // asked at a time, again after a want timeout (its server may have dropped one too soon).
    const bool hello_owed = link.hello_pending && context_.now() - link.hello_sent_ms <=
                                                      context_.options().want_timeout_ms;
    if (link.heads_dropped && link.stats.up && link.stats.role == Role::kClient && !hello_owed) {
      context_.sendHello(id);
    }
  }
  for (const PublicKey& author : authors) pullIfBehind(author);
}

uint64_t Puller::pendingUpdates() const {
  uint64_t total = 0;
  for (const auto& [id, batch] : batches_) total += batch.count;
  return total;
}

std::optional<int64_t> Puller::lastAdvanceMs(const PublicKey& author) const {
  auto it = pulls_.find(author);
  if (it == pulls_.end()) return std::nullopt;
  return it->second.last_advance_ms;
}

}  // namespace eichub::sync
