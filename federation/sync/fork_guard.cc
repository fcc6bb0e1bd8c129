// ForkGuard: split-view probes, fork proofs built, checked, kept and spread.
#include "federation/sync/fork_guard.h"

#include "federation/feed/verify.h"

namespace eichub::sync {

ForkGuard::ForkGuard(SyncContext& context, FrozenFn on_frozen)
    : context_(context),
      on_frozen_(std::move(on_frozen)),
      watch_(context.options().want_timeout_ms) {}

void ForkGuard::offerProof(LinkId link, const PublicKey& author) {
  auto proof = context_.storage().forkProof(author);
  if (!proof.ok()) return;
  auto fields = feed::decodeHeader(proof->first.header);
  if (fields.ok() && watch_.firstProofFor(link, author, fields->seq)) context_.send(link, *proof);
}

void ForkGuard::watchHead(LinkId link, const wire::HeadInfo& head) {
  Storage& storage = context_.storage();
  if (storage.isFrozen(head.author)) {
    offerProof(link, head.author);  // the peer still serves a feed we froze
    return;
  }
  if (context_.trust().lastAcceptedSeq(head.author) == 0) return;
  auto ours = storage.head(head.author);
  // A head past ours is compared by the pull (its next update must follow our head).
  if (!ours.ok() || ours->seq == 0 || head.seq > ours->seq) return;
  if (head.seq == ours->seq) {
    if (head.hash != ours->hash) probeFork(link, head.author, head.seq);
    return;
  }
  auto held = context_.heldHash(head.author, head.seq);
  if (held && *held != head.hash) probeFork(link, head.author, head.seq);
}

void ForkGuard::probeFork(LinkId link, const PublicKey& author, uint64_t seq) {
  if (seq == 0 || !watch_.startProbe(link, author, seq, context_.now())) return;
  context_.send(link, wire::Want{author, seq, 1, /*headers_only=*/true});
}

bool ForkGuard::answerProbe(LinkId link, const feed::VerifiedUpdate& update) {
  if (!watch_.takeProbe(link, update.fields.author, update.fields.seq)) return false;
  auto ours = context_.heldUpdate(update.fields.author, update.fields.seq);
  // The same header after all, whatever its signature: no fork here.
  if (ours && ours->header != update.signed_update.header) forkSeen(link, update, *ours);
  return true;
}

void ForkGuard::forkSeen(LinkId link, const feed::VerifiedUpdate& theirs,
                         const feed::SignedUpdate& ours) {
  const feed::HeaderFields& f = theirs.fields;
  wire::ForkProof proof;
  proof.first = {ours.header, ours.signature, {}, {}};
  proof.second = {theirs.signed_update.header, theirs.signed_update.signature, {}, {}};
  onFork(link, proof);
  // Every node must freeze at the same seq, the first where the branches differ: while their
  // predecessor is not ours either, ask for it too (a walk back, one header per step).
  if (f.seq > 1) {
    auto prev = context_.heldHash(f.author, f.seq - 1);
    if (prev && *prev != f.prev) probeFork(link, f.author, f.seq - 1);
  }
}

void ForkGuard::chainBreakSeen(LinkId link, const feed::VerifiedUpdate& theirs) {
  const feed::HeaderFields& f = theirs.fields;
  auto ours = context_.heldUpdate(f.author, f.seq - 1);
  // Our header there may still be on its way to the store: the probe decides then.
  if (!ours || feed::signedHeaderHash(ours->header, ours->signature) == f.prev) return;
  wire::ForkProof proof;
  proof.first = {theirs.signed_update.header, theirs.signed_update.signature, {}, {}};
  proof.second = {ours->header, ours->signature, {}, {}};
  onFork(link, proof);
}

void ForkGuard::onFork(LinkId link, const wire::ForkProof& proof) {
  const std::string& network = context_.options().network;
  auto first = feed::verifyUpdate(proof.first, network);
  auto second = feed::verifyUpdate(proof.second, network);
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
    context_.reject(link, "invalid fork proof");
    return;
  }
  Storage& storage = context_.storage();
  const PublicKey& author = first->fields.author;
  if (storage.isFrozen(author)) {
    // Kept only when it shows an earlier fork point than ours; a peer that knows a later one
    // is sent ours, so that every node ends frozen at the same seq.
    auto held = storage.forkProof(author);
    auto held_fields = held.ok() ? feed::decodeHeader(held->first.header)
                                 : Result<feed::HeaderFields>(held.status());
    if (!held_fields.ok() || first->fields.seq >= held_fields->seq) {
      if (held_fields.ok() && first->fields.seq > held_fields->seq &&
          watch_.firstProofFor(link, author, held_fields->seq)) {
        context_.send(link, *held);
      }
      return;
    }
  } else if (context_.trust().lastAcceptedSeq(author) == 0) {
    return;
  }
  // A proof carries headers only; check them as headers (no body to bind).
  if (storage.recordFork(proof).ok()) {
    if (on_frozen_) on_frozen_(first->fields.author);
    // To every peer, both the ones pulling from us and the ones we pull from.
    for (const auto& [id, other] : context_.links()) {
      if (other.subscribed || (other.stats.up && other.stats.role == Role::kClient)) {
        context_.send(id, proof);
      }
    }
  }
}

}  // namespace eichub::sync
