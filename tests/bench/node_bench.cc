// Node benchmark (not a test): publish rate against the raw Ed25519 signing rate measured in
// the same run, full ESCO import time, and get/search latency over the ESCO catalogue.
// Usage: node_bench [--publish-only] [esco dir]  (default ../shared/data/esco beside the source
// tree). --publish-only stops after the publish rate: a short run for profiling. The publish is
// timed in several rounds, each right after its own raw signing run, and the median ratio
// printed: on a shared machine the rate of a core drifts by 20% from one second to the next.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <memory>
#include <vector>

#include <fmt/core.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "node/import/esco_importer.h"
#include "node/publish/publisher.h"
#include "node/store/catalog_store.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds used so far by clock (CLOCK_THREAD_CPUTIME_ID or CLOCK_PROCESS_CPUTIME_ID).
double cpuSeconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct SignRate {
  double per_second = 0;  // wall clock
  double cpu_us = 0;      // CPU of this thread per signature
};

// Signatures of the headers a publish signs (headers: those of an earlier publish of the same
// changes, so their sizes are the publish's), one after the other on one core (this thread).
SignRate rawSignRate(const crypto::SigningKey& key, const std::vector<Bytes>& headers) {
  auto start = Clock::now();
  const double cpu_start = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
  for (const Bytes& header : headers) {
    Bytes sig = key.sign(header);
    if (sig.empty()) std::abort();
  }
  const auto signs = static_cast<double>(headers.size());
  return {signs / secondsSince(start),
          (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu_start) * 1e6 / signs};
}

// The headers a publish of changes signs, from a publish into a scratch store (which also warms
// the allocator and caches before the first measured round).
Result<std::vector<Bytes>> publishedHeaders(const crypto::SigningKey& key,
                                            const std::vector<catalog::Change>& changes) {
  testing::TempDir dir;
  EICHUB_ASSIGN_OR_RETURN(auto store, store::CatalogStore::open(dir.path(), store::StoreOptions{}));
  EICHUB_RETURN_IF_ERROR(publish::publishChanges(*store, key, "bench", changes).status());
  EICHUB_ASSIGN_OR_RETURN(auto updates,
                          store->queries().readFeed(key.publicKey(), 1, UINT64_MAX, SIZE_MAX));
  std::vector<Bytes> headers;
  headers.reserve(updates.size());
  for (auto& update : updates) headers.push_back(std::move(update.header));
  return headers;
}

struct Latency {
  double median_us = 0;
  double p99_us = 0;
};

template <typename Fn>
Latency measure(size_t rounds, Fn&& fn) {
  std::vector<double> micros;
  micros.reserve(rounds);
  for (size_t i = 0; i < rounds; ++i) {
    auto start = Clock::now();
    fn(i);
    micros.push_back(secondsSince(start) * 1e6);
  }
  std::sort(micros.begin(), micros.end());
  return {micros[micros.size() / 2], micros[micros.size() * 99 / 100]};
}

// Microseconds per update spent in StoreWriter::apply for changes signed beforehand, or -1.
double applyOnlyMicros(const crypto::SigningKey& key, const std::vector<catalog::Change>& changes) {
  feed::FeedAppender appender(key, "bench-apply", feed::Head{});
  std::vector<feed::VerifiedUpdate> updates;
  updates.reserve(changes.size());
  int64_t time_ms = 1'700'000'000'000;
  for (const auto& change : changes) {
    updates.push_back(appender.append(change.op, catalog::kindCode(change.kind), change.id,
                                      change.tags, change.body, ++time_ms));
  }
  testing::TempDir dir;
  auto store = store::CatalogStore::open(dir.path(), store::StoreOptions{});
  if (!store.ok()) return -1;
  double seconds = 0;
  for (size_t begin = 0; begin < updates.size(); begin += publish::kPublishBatchUpdates) {
    size_t end = std::min(updates.size(), begin + publish::kPublishBatchUpdates);
    std::vector<feed::VerifiedUpdate> batch(updates.begin() + static_cast<ptrdiff_t>(begin),
                                            updates.begin() + static_cast<ptrdiff_t>(end));
    auto start = Clock::now();
    auto stats = (*store)->writer().apply(batch);
    seconds += secondsSince(start);
    if (!stats.ok()) {
      fmt::print(stderr, "{}\n", stats.status().toString());
      return -1;
    }
  }
  return seconds * 1e6 / static_cast<double>(updates.size());
}

// One publish of every change into a fresh store, between two raw signing runs whose mean it is
// compared with, so that the ratio compares the same second of this machine (a core's speed
// drifts by several percent from one second to the next, also on an idle machine).
struct PublishRound {
  SignRate sign;
  double seconds = 0;
  double publishing_thread_us = 0;  // CPU per update
  double other_thread_us = 0;       // the signing thread's CPU per update
  uint64_t written = 0;
  double ratio() const { return static_cast<double>(written) / seconds / sign.per_second; }
};

Result<PublishRound> publishRound(const crypto::SigningKey& key, store::CatalogStore& store,
                                  const std::vector<catalog::Change>& changes,
                                  const std::vector<Bytes>& headers) {
  PublishRound round;
  const SignRate before = rawSignRate(key, headers);
  // The publish runs on this thread plus the publisher's signing thread, the only other thread
  // of the process while it runs: the process's CPU minus this thread's is the signer's.
  auto start = Clock::now();
  const double thread_cpu_start = cpuSeconds(CLOCK_THREAD_CPUTIME_ID);
  const double process_cpu_start = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID);
  EICHUB_ASSIGN_OR_RETURN(auto summary, publish::publishChanges(store, key, "bench", changes));
  const double thread_cpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread_cpu_start;
  const double process_cpu = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process_cpu_start;
  round.seconds = secondsSince(start);
  round.written = summary.written();
  const auto written = static_cast<double>(round.written);
  round.publishing_thread_us = thread_cpu * 1e6 / written;
  round.other_thread_us = (process_cpu - thread_cpu) * 1e6 / written;
  const SignRate after = rawSignRate(key, headers);
  round.sign = {(before.per_second + after.per_second) / 2, (before.cpu_us + after.cpu_us) / 2};
  return round;
}

int run(const std::string& esco_dir, bool publish_only) {
  if (!std::filesystem::is_directory(esco_dir)) {
    fmt::print(stderr, "no ESCO data at {}; pass its directory as the first argument\n", esco_dir);
    return 77;
  }
  auto key = crypto::SigningKey::generate();
  if (!key.ok()) return 1;

  auto read_start = Clock::now();
  auto esco = import::importEsco(esco_dir);
  if (!esco.ok()) {
    fmt::print(stderr, "{}\n", esco.status().toString());
    return 1;
  }
  double read_seconds = secondsSince(read_start);
  auto headers = publishedHeaders(*key, esco->changes);
  if (!headers.ok() || headers->empty()) {
    fmt::print(stderr, "warm-up publish: {}\n", headers.status().toString());
    return 1;
  }

  // Rounds into fresh stores; the last store is kept for the measurements below.
  constexpr int kPublishRounds = 7;
  std::vector<PublishRound> rounds;
  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<store::CatalogStore> store;
  for (int i = 0; i < kPublishRounds; ++i) {
    store.reset();
    dir = std::make_unique<testing::TempDir>();
    auto opened = store::CatalogStore::open(dir->path(), store::StoreOptions{});
    if (!opened.ok()) return 1;
    store = std::move(*opened);
    auto round = publishRound(*key, *store, esco->changes, *headers);
    if (!round.ok()) {
      fmt::print(stderr, "{}\n", round.status().toString());
      return 1;
    }
    fmt::print(
        "round {}: raw sign {:>6.0f}/s ({:.1f} CPU us), publish {:>6.0f} updates/s = {:.2f} x;"
        " CPU per update: publishing thread {:.1f} us, signing thread {:.1f} us\n",
        i + 1, round->sign.per_second, round->sign.cpu_us,
        static_cast<double>(round->written) / round->seconds, round->ratio(),
        round->publishing_thread_us, round->other_thread_us);
    rounds.push_back(*round);
  }
  std::sort(rounds.begin(), rounds.end(),
            [](const PublishRound& a, const PublishRound& b) { return a.ratio() < b.ratio(); });
  const PublishRound& median = rounds[rounds.size() / 2];
  fmt::print(
      "raw Ed25519 sign rate (1 core, the publish's headers): {:>6.0f} signatures/s (median "
      "round)\n",
      median.sign.per_second);
  fmt::print(
      "publish rate (sign+store, 2 threads):  {:>6.0f} updates/s = {:.2f} x raw sign rate"
      " (median of {} rounds, range {:.2f}-{:.2f})\n",
      static_cast<double>(median.written) / median.seconds, median.ratio(), rounds.size(),
      rounds.front().ratio(), rounds.back().ratio());
  fmt::print("full ESCO import: {} records, read {:.2f} s + publish {:.2f} s = {:.2f} s\n",
             median.written, read_seconds, median.seconds, read_seconds + median.seconds);
  if (publish_only) return 0;

  auto again_start = Clock::now();
  auto again = publish::publishChanges(*store, *key, "bench", esco->changes);
  if (!again.ok() || again->written() != 0) return 1;
  fmt::print("re-import of unchanged ESCO:       {:.2f} s, {} unchanged\n",
             secondsSince(again_start), again->unchanged);

  // Raw payload: the signed bytes the store must keep (header + signature + body per update).
  auto updates = store->queries().readFeed(key->publicKey(), 1, UINT64_MAX, SIZE_MAX);
  if (!updates.ok()) return 1;
  uint64_t payload_bytes = 0;
  for (const auto& update : *updates) {
    payload_bytes += feed::signedBytes(update);
  }

  // StoreWriter::apply alone: every update signed first, then stored in publisher-sized
  // batches into a fresh store; the best of a few rounds, as fsync times vary.
  double apply_us = 0;
  for (int round = 0; round < 3; ++round) {
    double us = applyOnlyMicros(*key, esco->changes);
    if (us < 0) return 1;
    apply_us = round == 0 ? us : std::min(apply_us, us);
  }
  fmt::print("apply only (presigned, fresh store, best of 3): {:6.1f} us/update\n", apply_us);

  std::vector<std::string> ids;
  for (const auto& change : esco->changes) ids.push_back(change.id);
  Latency get = measure(10000, [&](size_t i) {
    auto records = store->queries().recordsById(ids[(i * 7919) % ids.size()]);
    if (!records.ok() || records->empty()) std::abort();
  });
  fmt::print("get by id:        median {:7.1f} us  p99 {:7.1f} us\n", get.median_us, get.p99_us);

  const std::vector<std::string> queries = {
      "wound care", "management",    "software", "nursing",
      "welding",    "data analysis", "teach",    "construction site safety"};
  for (const std::string& text : queries) {
    size_t hits = 0;
    Latency search = measure(2000, [&](size_t) {
      store::SearchQuery query;
      query.text = text;
      query.limit = 10;
      auto found = store->queries().search(query);
      if (!found.ok()) std::abort();
      hits = found->size();
    });
    fmt::print("search {:<26} median {:7.1f} us  p99 {:7.1f} us  ({} hits)\n", "\"" + text + "\"",
               search.median_us, search.p99_us, hits);
  }
  auto bytes = store->storeBytes();
  fmt::print("store size: {:.1f} MiB ({} bytes); raw payload {:.1f} MiB ({} bytes)\n",
             bytes.ok() ? static_cast<double>(*bytes) / (1 << 20) : 0, bytes.ok() ? *bytes : 0,
             static_cast<double>(payload_bytes) / (1 << 20), payload_bytes);
  return 0;
}

}  // namespace
}  // namespace eichub

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const bool publish_only = !args.empty() && args.front() == "--publish-only";
  if (publish_only) args.erase(args.begin());
  std::string dir = args.empty() ? eichub::testing::sharedDataDir() + "/esco" : args.front();
  return eichub::run(dir, publish_only);
}
