// Node benchmark (not a test): publish rate against the raw Ed25519 signing rate measured in
// the same run, full ESCO import time, and get/search latency over the ESCO catalogue.
// Usage: node_bench [esco dir]  (default ../shared/data/esco beside the source tree)
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

#include <fmt/core.h>

#include "federation/crypto/ed25519_key.h"
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

// Signatures per second on one core over header-sized messages.
double rawSignRate(const crypto::SigningKey& key) {
  Bytes message(200, 0x5a);
  constexpr int kSigns = 20000;
  auto start = Clock::now();
  for (int i = 0; i < kSigns; ++i) {
    message[0] = static_cast<uint8_t>(i);
    Bytes sig = key.sign(message);
    if (sig.empty()) std::abort();
  }
  return kSigns / secondsSince(start);
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

int run(const std::string& esco_dir) {
  if (!std::filesystem::is_directory(esco_dir)) {
    fmt::print(stderr, "no ESCO data at {}; pass its directory as the first argument\n", esco_dir);
    return 77;
  }
  auto key = crypto::SigningKey::generate();
  if (!key.ok()) return 1;
  double sign_rate = rawSignRate(*key);
  fmt::print("raw Ed25519 sign rate (1 core):   {:>10.0f} signatures/s\n", sign_rate);

  auto read_start = Clock::now();
  auto esco = import::importEsco(esco_dir);
  if (!esco.ok()) {
    fmt::print(stderr, "{}\n", esco.status().toString());
    return 1;
  }
  double read_seconds = secondsSince(read_start);

  testing::TempDir dir;
  auto store = store::CatalogStore::open(dir.path(), store::StoreOptions{});
  if (!store.ok()) return 1;
  auto publish_start = Clock::now();
  auto summary = publish::publishChanges(**store, *key, "bench", esco->changes);
  if (!summary.ok()) {
    fmt::print(stderr, "{}\n", summary.status().toString());
    return 1;
  }
  double publish_seconds = secondsSince(publish_start);
  double publish_rate = static_cast<double>(summary->written()) / publish_seconds;
  fmt::print("publish rate (sign+store, 1 core): {:>9.0f} updates/s = {:.2f} x raw sign rate\n",
             publish_rate, publish_rate / sign_rate);
  fmt::print("full ESCO import: {} records, read {:.2f} s + publish {:.2f} s = {:.2f} s\n",
             summary->written(), read_seconds, publish_seconds, read_seconds + publish_seconds);

  auto again_start = Clock::now();
  auto again = publish::publishChanges(**store, *key, "bench", esco->changes);
  if (!again.ok() || again->written() != 0) return 1;
  fmt::print("re-import of unchanged ESCO:       {:.2f} s, {} unchanged\n",
             secondsSince(again_start), again->unchanged);

  std::vector<std::string> ids;
  for (const auto& change : esco->changes) ids.push_back(change.id);
  Latency get = measure(10000, [&](size_t i) {
    auto records = (*store)->recordsById(ids[(i * 7919) % ids.size()]);
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
      auto found = (*store)->search(query);
      if (!found.ok()) std::abort();
      hits = found->size();
    });
    fmt::print("search {:<26} median {:7.1f} us  p99 {:7.1f} us  ({} hits)\n", "\"" + text + "\"",
               search.median_us, search.p99_us, hits);
  }
  auto bytes = (*store)->storeBytes();
  fmt::print("store size: {:.1f} MiB\n", bytes.ok() ? static_cast<double>(*bytes) / (1 << 20) : 0);
  return 0;
}

}  // namespace
}  // namespace eichub

int main(int argc, char** argv) {
  std::string dir = argc > 1 ? argv[1] : eichub::testing::sharedDataDir() + "/esco";
  return eichub::run(dir);
}
