// Publisher: diff against held state, sign, store in batches. Signing a batch (the costly
// step) runs on a second thread while this thread stores the previous batch and prepares the
// next one, so a publish runs at about the signing rate of one core.
#include "node/publish/publisher.h"

#include <chrono>
#include <future>
#include <map>

#include "federation/crypto/sha256.h"
#include "federation/feed/appender.h"

namespace eichub::publish {

namespace {

// What a record currently is, as far as this publish call knows.
struct KnownState {
  bool live = false;
  Hash32 body_hash{};
};
using KnownMap = std::map<store::RecordKey, KnownState>;

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
  // The versions erases must name: those in the store, then those this call appends.
  std::vector<store::RecordKey> erase_keys;
  for (const catalog::Change& change : changes) {
    if (change.op == feed::Op::ERASE)
      erase_keys.push_back({change.kind, key.publicKey(), change.id});
  }
  EICHUB_ASSIGN_OR_RETURN(auto versions, store.erasableVersions(key.publicKey(), erase_keys));
  feed::FeedAppender appender(key, network, head);

  // The batch being built (and what it changes), and the batch being signed (and what it
  // changes): both are newer than the store, so lookups check them first.
  std::vector<feed::VerifiedUpdate> building;
  KnownMap building_known;
  std::vector<feed::VerifiedUpdate> signing;
  KnownMap signing_known;
  std::future<void> signed_done;
  size_t examined = 0;

  // Waits for the batch being signed and stores it.
  auto storeSigned = [&]() -> Status {
    if (!signed_done.valid()) return Status::OK();
    signed_done.get();
    auto applied = store.apply(signing);
    if (!applied.ok()) return applied.status();
    ++summary.batches;
    signing.clear();
    signing_known.clear();
    if (progress) progress(examined, changes.size());
    return Status::OK();
  };
  // Hands the built batch to the signing thread, then stores the batch signed before it, so
  // that signing the one overlaps storing the other.
  auto rotate = [&]() -> Status {
    std::vector<feed::VerifiedUpdate> ready;
    if (signed_done.valid()) {
      signed_done.get();
      ready = std::move(signing);
      signing.clear();
      signing_known.clear();
    }
    if (!building.empty()) {
      signing = std::move(building);
      signing_known = std::move(building_known);
      building.clear();
      building_known.clear();
      signed_done =
          std::async(std::launch::async, [&key, &signing] { feed::signUpdates(key, signing); });
    }
    if (ready.empty()) return Status::OK();
    auto applied = store.apply(ready);
    if (!applied.ok()) return applied.status();
    ++summary.batches;
    if (progress) progress(examined, changes.size());
    return Status::OK();
  };

  for (const catalog::Change& change : changes) {
    ++examined;
    store::RecordKey record_key{change.kind, key.publicKey(), change.id};
    KnownState known;
    if (auto it = building_known.find(record_key); it != building_known.end()) {
      known = it->second;
    } else if (auto jt = signing_known.find(record_key); jt != signing_known.end()) {
      known = jt->second;
    } else {
      auto held = store.record(record_key);
      if (held.ok()) {
        known.live = held->op == feed::Op::UPSERT;
        known.body_hash = held->body_hash;
      } else if (!held.status().isNotFound()) {
        if (signed_done.valid()) signed_done.wait();
        return held.status();
      }
    }

    KnownState next;
    std::vector<uint64_t> erases;
    if (change.op == feed::Op::ERASE) {
      auto it = versions.find(record_key);
      if (it == versions.end() || it->second.empty()) {
        ++summary.unchanged;
        continue;
      }
      erases = std::move(it->second);
      it->second.clear();
      ++summary.erased;
    } else if (change.op == feed::Op::UPSERT) {
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
    building_known[record_key] = next;
    building.push_back(appender.appendUnsigned(change.op, change.kind, change.id, change.tags,
                                               change.body, clock(), std::move(erases)));
    if (change.op == feed::Op::UPSERT) {
      if (auto it = versions.find(record_key); it != versions.end()) {
        it->second.push_back(building.back().fields.seq);
      }
    }
    if (building.size() >= kPublishBatchUpdates) {
      Status s = rotate();
      if (!s.ok()) {
        if (signed_done.valid()) signed_done.wait();
        return s;
      }
    }
  }
  EICHUB_RETURN_IF_ERROR(rotate());
  EICHUB_RETURN_IF_ERROR(storeSigned());
  if (progress) progress(changes.size(), changes.size());
  return summary;
}

}  // namespace eichub::publish
