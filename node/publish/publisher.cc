// Publisher: diff against held state, sign, store in batches. Signing (the costly step) runs on
// a second thread (Signer), fed in small chunks of drafts, while this thread diffs ahead and
// stores the batches already signed, so a publish runs at about the signing rate of one core.
// The chain orders the signatures (each prev hashes the previous signed header), so one thread
// signs at a time.
//
// Storing costs about as much CPU per update as signing, unevenly (ESCO's occupations, with many
// labels and links, cost twice a skill), so a thread that only waited for signatures would leave
// a core idle: while the batch to store is not signed yet, this thread signs queued chunks itself
// (Signer::take). Small batches keep the tail short: after the last signature only one batch is
// left to store. What storing can do outside the write transaction (compressing the body, its
// index terms: store::PreparedBody) is done when a change is drafted, ahead of the signer, so
// that storing keeps up with the signer to the end even where the records cost most to store.
#include "node/publish/publisher.h"

#include <chrono>
#include <deque>
#include <iterator>
#include <unordered_map>

#include "federation/crypto/sha256.h"
#include "federation/feed/appender.h"
#include "node/publish/signer.h"
#include "node/store/apply_session.h"
#include "node/store/prepared_body.h"

namespace eichub::publish {

namespace {

// Updates handed to the signer at a time: small, so that it starts early and the last batch
// waits little for its signatures. Divides kPublishBatchUpdates.
constexpr size_t kSignChunkUpdates = 256;
static_assert(kPublishBatchUpdates % kSignChunkUpdates == 0);
// The first chunk is smaller, so that the signer starts after a few drafts: drafting prepares
// each body (store::PreparedBody), and 256 take about 5 ms.
constexpr size_t kFirstChunkUpdates = 16;
// Once fewer changes than a batch are left to examine, batches close at this size, so that
// after the last signature only this many updates are left to store.
constexpr size_t kTailBatchUpdates = 32;
// How far this thread builds ahead of the batch it stores, so that the signer never runs dry
// (4,096 updates, about 0.16 s of signing, covers a commit of a full transaction): at most this
// many batches, and at most this many bytes of built updates (bodies are copied
// into them), whichever comes first. More batches ahead measured no faster (node_bench).
constexpr size_t kBatchesAhead = 16;
constexpr size_t kBytesAhead = 64u << 20;

// A batch handed to the signer in chunks and not stored yet.
struct PendingBatch {
  size_t updates = 0;
  size_t bytes = 0;
  bool closed = false;  // no more updates go into it
};

// What a record is after the updates this call has built so far.
struct KnownState {
  bool live = false;
  Hash32 body_hash{};
};

// kind || id: the record's key within the author's own feed.
std::string knownKey(catalog::Kind kind, const std::string& id) {
  std::string key(1, static_cast<char>(kind));
  key += id;
  return key;
}

}  // namespace

int64_t systemClockMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Result<PublishSummary> publishChanges(store::CatalogStore& store, const crypto::SigningKey& key,
                                      const std::string& network,
                                      const std::vector<catalog::Change>& changes,
                                      const ProgressFn& progress, const ClockFn& clock) {
  PublishSummary summary;
  EICHUB_ASSIGN_OR_RETURN(feed::Head head, store.queries().head(key.publicKey()));
  // The versions erases must name: those in the store, then those this call appends.
  std::vector<store::RecordKey> erase_keys;
  for (const catalog::Change& change : changes) {
    if (change.op == feed::Op::ERASE)
      erase_keys.push_back({change.kind, key.publicKey(), change.id});
  }
  EICHUB_ASSIGN_OR_RETURN(auto versions,
                          store.queries().erasableVersions(key.publicKey(), erase_keys));

  // Every record this call changed: newer than the store until its batch is stored, and the
  // same as the store after that.
  std::unordered_map<std::string, KnownState> known_states;
  // A publish that fits in the first chunk is signed on this thread alone (SignerThread).
  Signer signer(key, network, head,
                changes.size() > kFirstChunkUpdates ? SignerThread::kStarted : SignerThread::kNone);
  uint64_t next_seq = head.seq + 1;
  std::vector<Draft> chunk;  // drafted, not yet handed to the signer
  size_t chunk_bytes = 0;    // of its bodies, ids and prepared bodies
  store::BodyPreparer preparer;
  std::deque<store::PreparedBody> prepared;   // one per update drafted and not stored, in order
  std::deque<PendingBatch> pending;           // batches not stored yet, oldest first
  size_t pending_bytes = 0;                   // over all of them
  size_t batch_built = 0;                     // updates built into the newest batch
  size_t batch_limit = kPublishBatchUpdates;  // where the newest batch closes
  size_t chunk_limit = kFirstChunkUpdates;    // where the chunk being drafted is handed over
  size_t examined = 0;

  // The write transaction the batches go into, open from the first batch stored until it holds
  // kPublishTxnMaxUpdates or kPublishTxnMaxBytes, or the publish ends.
  std::unique_ptr<store::ApplySession> session;
  auto commit = [&]() -> Status {
    EICHUB_RETURN_IF_ERROR(session->commit());
    session.reset();
    ++summary.batches;
    return Status::OK();
  };
  // Collects the oldest batch's signed chunks and stores them in the write transaction.
  auto storeOldest = [&]() -> Status {
    std::vector<feed::VerifiedUpdate> batch;
    batch.reserve(pending.front().updates);
    while (batch.size() < pending.front().updates) {
      for (feed::VerifiedUpdate& update : signer.take()) batch.push_back(std::move(update));
    }
    std::vector<store::PreparedBody> batch_prepared(
        std::make_move_iterator(prepared.begin()),
        std::make_move_iterator(prepared.begin() + static_cast<ptrdiff_t>(batch.size())));
    prepared.erase(prepared.begin(), prepared.begin() + static_cast<ptrdiff_t>(batch.size()));
    pending_bytes -= pending.front().bytes;
    pending.pop_front();
    if (!session) {
      EICHUB_ASSIGN_OR_RETURN(session, store.writer().beginApplySession());
    }
    auto applied = session->apply(std::move(batch), batch_prepared);
    if (!applied.ok()) return applied.status();
    if (session->updates() >= kPublishTxnMaxUpdates || session->bytes() >= kPublishTxnMaxBytes) {
      EICHUB_RETURN_IF_ERROR(commit());
    }
    if (progress) progress(examined, changes.size());
    return Status::OK();
  };
  // Hands the chunk to the signer, as part of the newest batch.
  auto submit = [&]() {
    if (pending.empty() || pending.back().closed) pending.emplace_back();
    pending.back().updates += chunk.size();
    pending.back().bytes += chunk_bytes;
    pending_bytes += chunk_bytes;
    if (batch_built >= batch_limit) {
      pending.back().closed = true;
      batch_built = 0;
    }
    signer.submit(std::move(chunk));
    chunk.clear();
    chunk_bytes = 0;
    chunk_limit = kSignChunkUpdates;
    chunk.reserve(kSignChunkUpdates);
  };

  chunk.reserve(kSignChunkUpdates);
  for (const catalog::Change& change : changes) {
    ++examined;
    const std::string state_key = knownKey(change.kind, change.id);
    KnownState known;
    if (auto it = known_states.find(state_key); it != known_states.end()) {
      known = it->second;
    } else {
      auto held = store.queries().record({change.kind, key.publicKey(), change.id});
      if (held.ok()) {
        known.live = held->op == feed::Op::UPSERT;
        known.body_hash = held->body_hash;
      } else if (!held.status().isNotFound()) {
        return held.status();
      }
    }

    std::vector<uint64_t> erases;
    Hash32 body_hash{};
    if (change.op == feed::Op::ERASE) {
      auto it = versions.find({change.kind, key.publicKey(), change.id});
      if (it == versions.end() || it->second.empty()) {
        ++summary.unchanged;
        continue;
      }
      erases = std::move(it->second);
      it->second.clear();
      ++summary.erased;
    } else if (change.op == feed::Op::UPSERT) {
      body_hash = crypto::sha256(change.body);
      if (known.live && known.body_hash == body_hash) {
        ++summary.unchanged;
        continue;
      }
      ++(known.live ? summary.changed : summary.added);
    } else {
      if (!known.live) {
        ++summary.unchanged;
        continue;
      }
      ++summary.deleted;
    }
    Draft& draft = chunk.emplace_back();
    feed::HeaderFields& fields = draft.fields;
    fields.op = change.op;
    fields.kind = catalog::kindCode(change.kind);
    fields.id = change.id;
    fields.tags = change.tags;
    fields.erases = std::move(erases);
    if (change.op == feed::Op::UPSERT) {
      fields.body_hash = body_hash;
      fields.body_size = static_cast<uint32_t>(change.body.size());
      draft.body = change.body;
      prepared.push_back(preparer.prepare(change.body, body_hash));
    } else {
      prepared.emplace_back();
    }
    chunk_bytes += change.body.size() + feed::kMaxIdBytes + prepared.back().stored.size();
    draft.time_ms = clock();
    const uint64_t seq = next_seq++;
    known_states[state_key] = {change.op == feed::Op::UPSERT, fields.body_hash};
    if (change.op == feed::Op::UPSERT && !versions.empty()) {
      if (auto it = versions.find({change.kind, key.publicKey(), change.id});
          it != versions.end()) {
        it->second.push_back(seq);
      }
    }
    ++batch_built;
    if (changes.size() - examined < kPublishBatchUpdates) batch_limit = kTailBatchUpdates;
    if (chunk.size() >= chunk_limit || batch_built >= batch_limit) submit();
    while (batch_built == 0 && !pending.empty() &&
           (pending.size() > kBatchesAhead || pending_bytes > kBytesAhead)) {
      EICHUB_RETURN_IF_ERROR(storeOldest());
    }
  }
  if (!chunk.empty()) submit();
  while (!pending.empty()) EICHUB_RETURN_IF_ERROR(storeOldest());
  if (session) EICHUB_RETURN_IF_ERROR(commit());
  if (progress) progress(changes.size(), changes.size());
  return summary;
}

}  // namespace eichub::publish
