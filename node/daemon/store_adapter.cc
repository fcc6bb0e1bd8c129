// StoreAdapter: reads from the store, writes (batches, fork proofs) through the writer thread.
#include "node/daemon/store_adapter.h"

#include "federation/crypto/sha256.h"
#include "federation/feed/update.h"
#include "node/catalog/change.h"
#include "node/log.h"
#include "node/store/fork_proofs.h"
#include "node/store/verify.h"

namespace eichub::daemon {
namespace {

// Corrupt entries logged one by one; past this many only the counter rises.
constexpr size_t kMaxCorruptLogged = 1024;

}  // namespace

StoreAdapter::StoreAdapter(const store::CatalogStore& store, Writer& writer)
    : store_(store), writer_(writer) {
  auto feeds = store_.queries().feeds();
  if (!feeds.ok()) return;
  for (const store::FeedInfo& feed : *feeds) {
    auto held = store_.meta(store::forkMetaKey(feed.author));
    if (!held.ok()) continue;
    frozen_[feed.author] = store::forkSeq(*held);
  }
}

Result<std::vector<wire::HeadInfo>> StoreAdapter::heads() {
  EICHUB_ASSIGN_OR_RETURN(std::vector<store::FeedInfo> feeds, store_.queries().feeds());
  std::vector<wire::HeadInfo> out;
  out.reserve(feeds.size());
  for (const store::FeedInfo& f : feeds) {
    if (frozen_.count(f.author) == 0) out.push_back({f.author, f.head.seq, f.head.hash});
  }
  return out;
}

Result<feed::Head> StoreAdapter::head(const PublicKey& author) {
  return store_.queries().head(author);
}

Result<std::vector<feed::SignedUpdate>> StoreAdapter::read(const PublicKey& author,
                                                           uint64_t from_seq, size_t max_count,
                                                           size_t max_bytes) {
  EICHUB_ASSIGN_OR_RETURN(feed::Head held, store_.queries().head(author));
  if (from_seq > held.seq) return std::vector<feed::SignedUpdate>{};
  // Sized by max_bytes as it reads: a server reads no more than it may send (finding 4).
  EICHUB_ASSIGN_OR_RETURN(
      auto updates, store_.queries().readFeed(author, from_seq, held.seq, max_count, max_bytes));
  // What is served must still be what was signed (case 22): a body is re-checked against its
  // header's hash and withheld when it differs (the reader fetches it elsewhere), and the run
  // ends before a header that does not decode or does not link to the one before it. The last
  // header's signature is checked by the engine before it serves a run.
  Hash32 prev_hash{};
  for (size_t i = 0; i < updates.size(); ++i) {
    feed::SignedUpdate& u = updates[i];
    auto fields = feed::decodeHeader(u.header);
    if (!fields.ok() || (i > 0 && fields->prev != prev_hash)) {
      refuseCorrupt(author, from_seq + i, "header");
      updates.resize(i);
      break;
    }
    prev_hash = feed::signedHeaderHash(u.header, u.signature);
    if (!store::bodyMatches(*fields, u.body)) {
      refuseCorrupt(author, fields->seq, "body_hash");
      u.body.clear();
      u.body_zstd.clear();
    }
  }
  return updates;
}

void StoreAdapter::refuseCorrupt(const PublicKey& author, uint64_t seq, std::string_view what) {
  ++corrupt_refused_;
  if (corrupt_logged_.size() >= kMaxCorruptLogged || !corrupt_logged_.emplace(author, seq).second) {
    return;
  }
  log::error(
      "event=store_corrupt author={} seq={} what={} action=not_served hint=\"run eichub verify "
      "--repair\"",
      toHex(author).substr(0, 16), seq, what);
}

Status StoreAdapter::checkBody(const feed::VerifiedUpdate& update) {
  return catalog::checkUpdateBody(update);
}

void StoreAdapter::submit(uint64_t batch_id, std::vector<feed::VerifiedUpdate> batch) {
  TrustReach reach = trustReachOf(batch);
  writer_.submit(ApplyBatch{batch_id, std::move(batch), std::move(reach)});
}

Status StoreAdapter::recordFork(const wire::ForkProof& proof) {
  auto fields = feed::decodeHeader(proof.first.header);
  if (!fields.ok()) return fields.status();
  // The proof is small (two headers and signatures); meta holds it as hex text, written by the
  // writer thread. The feed freezes here at once: forkProof() answers from pending_forks_ until
  // the writer has stored it.
  std::string value = store::encodeForkProof(proof);
  pending_forks_[fields->author] = value;
  writer_.submit(StoreForkProof{store::forkMetaKey(fields->author), std::move(value)});
  frozen_[fields->author] = fields->seq;
  return Status::OK();
}

Result<wire::ForkProof> StoreAdapter::forkProof(const PublicKey& author) {
  std::string held;
  if (auto pending = pending_forks_.find(author); pending != pending_forks_.end()) {
    held = pending->second;
  } else {
    EICHUB_ASSIGN_OR_RETURN(held, store_.meta(store::forkMetaKey(author)));
  }
  return store::decodeForkProof(held);
}

bool StoreAdapter::isFrozen(const PublicKey& author) { return frozen_.count(author) != 0; }

Result<std::vector<std::pair<wire::BodyRef, feed::SignedUpdate>>> StoreAdapter::missingBodies(
    const HeaderFilter& wanted, const wire::BodyRef& after, size_t max_count) {
  EICHUB_ASSIGN_OR_RETURN(
      auto headers, store_.queries().missingBodies(wanted, after.author, after.seq, max_count));
  std::vector<std::pair<wire::BodyRef, feed::SignedUpdate>> out;
  out.reserve(headers.size());
  for (feed::SignedUpdate& header : headers) {
    auto fields = feed::decodeHeader(header.header);
    if (!fields.ok()) return fields.status();
    if (frozen_.count(fields->author) != 0) continue;
    out.emplace_back(wire::BodyRef{fields->author, fields->seq}, std::move(header));
  }
  return out;
}

}  // namespace eichub::daemon
