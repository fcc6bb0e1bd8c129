// Publisher: diff against held state, sign, store in batches.
#include "node/publish/publisher.h"

#include <chrono>
#include <map>
#include <optional>

#include "federation/crypto/sha256.h"
#include "federation/feed/appender.h"

namespace eichub::publish {

namespace {

// What a record currently is, as far as this publish call knows.
struct KnownState {
  bool live = false;
  Hash32 body_hash{};
};

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
  EICHUB_ASSIGN_OR_RETURN(feed::Head head, store.head(key.publicKey()));
  feed::FeedAppender appender(key, network, head);
  std::map<store::RecordKey, KnownState> pending;  // changes of this call not yet committed
  std::vector<feed::VerifiedUpdate> batch;
  batch.reserve(std::min(changes.size(), kPublishBatchUpdates));

  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    auto applied = store.apply(batch);
    if (!applied.ok()) return applied.status();
    ++summary.batches;
    batch.clear();
    pending.clear();
    return Status::OK();
  };

  for (size_t i = 0; i < changes.size(); ++i) {
    const catalog::Change& change = changes[i];
    store::RecordKey record_key{change.kind, key.publicKey(), change.id};
    KnownState known;
    if (auto it = pending.find(record_key); it != pending.end()) {
      known = it->second;
    } else {
      auto held = store.record(record_key);
      if (held.ok()) {
        known.live = held->op == feed::Op::UPSERT;
        known.body_hash = held->body_hash;
      } else if (!held.status().isNotFound()) {
        return held.status();
      }
    }

    KnownState next;
    if (change.op == feed::Op::UPSERT) {
      next = {true, crypto::sha256(change.body)};
      if (known.live && known.body_hash == next.body_hash) {
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
    pending[record_key] = next;
    batch.push_back(
        appender.append(change.op, change.kind, change.id, change.tags, change.body, clock()));
    if (batch.size() >= kPublishBatchUpdates) {
      EICHUB_RETURN_IF_ERROR(flush());
      if (progress) progress(i + 1, changes.size());
    }
  }
  EICHUB_RETURN_IF_ERROR(flush());
  if (progress) progress(changes.size(), changes.size());
  return summary;
}

}  // namespace eichub::publish
