// Federation benchmark (not a test): catch-up, live propagation over two hops, disk use and
// startup of real eichub daemons on tcp loopback with CURVE, each printed against its target
// and against raw limits (Ed25519 verify, LMDB writes, CURVE throughput) measured in this run.
// Usage: federation_bench [--catchup-updates N] [--live-updates N] [--startup-updates N]
//          [--description-bytes N] [--zmq-messages N] [--idle-seconds N] [--dir DIR]
//          [--only raw,catchup,live,startup]
// Defaults are the sizes of the federation issue; smaller ones make a quick run.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "federation/feed/appender.h"
#include "node/catalog/record_json.h"
#include "node/daemon/control.h"
#include "node/home/home.h"
#include "node/publish/publisher.h"
#include "node/store/catalog_store.h"
#include "node/store/lmdb_env.h"
#include "tests/bench/bench_node.h"
#include "tests/bench/raw_limits.h"
#include "tests/testing/temp_dir.h"

namespace eichub::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
double msBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}
double mib(uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

struct Flags {
  uint64_t catchup_updates = 200'000;
  uint64_t live_updates = 500;
  uint64_t startup_updates = 1'000'000;
  size_t description_bytes = 560;  // makes header + signature + body about 1 KB
  uint64_t zmq_messages = 1000;
  int idle_seconds = 5;
  std::string dir;  // work directory; a temporary one when empty
  std::set<std::string> only = {"raw", "catchup", "live", "startup"};
};

// A whole decimal number, or nullopt.
std::optional<uint64_t> number(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<Flags> parseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string name = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    std::string value = argv[++i];
    std::optional<uint64_t> n = number(value);
    if (name == "--dir") {
      flags.dir = value;
    } else if (name == "--only") {
      flags.only.clear();
      for (size_t start = 0; start <= value.size();) {
        size_t comma = std::min(value.find(',', start), value.size());
        flags.only.insert(value.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (!n) {
      return std::nullopt;
    } else if (name == "--catchup-updates" && *n > 0) {
      flags.catchup_updates = *n;
    } else if (name == "--live-updates" && *n > 0) {
      flags.live_updates = *n;
    } else if (name == "--startup-updates") {
      flags.startup_updates = *n;
    } else if (name == "--description-bytes") {
      flags.description_bytes = *n;
    } else if (name == "--zmq-messages" && *n > 0) {
      flags.zmq_messages = *n;
    } else if (name == "--idle-seconds") {
      flags.idle_seconds = static_cast<int>(std::min<uint64_t>(*n, 3600));
    } else {
      return std::nullopt;
    }
  }
  return flags;
}

std::string load() {
  double avg[3] = {0, 0, 0};
  if (::getloadavg(avg, 3) != 3) return "load unknown";
  return fmt::format("load {:.2f} {:.2f} {:.2f}", avg[0], avg[1], avg[2]);
}

const char* verdict(bool met) { return met ? "met" : "NOT met"; }

struct Latency {
  double median = 0;
  double p99 = 0;
};
Latency percentiles(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values[values.size() * 99 / 100]};
}

// A LearningResource with a description of description_bytes drawn from a small vocabulary.
catalog::Change resourceChange(const std::string& prefix, uint64_t i, size_t description_bytes) {
  constexpr const char* kWords[] = {"care",     "patient", "safety",   "module",  "practice",
                                    "clinical", "skills",  "training", "digital", "records",
                                    "team",     "support", "wound",    "elderly", "assessment"};
  constexpr uint64_t kWordCount = sizeof(kWords) / sizeof(kWords[0]);
  std::string description;
  for (uint64_t w = i; description.size() < description_bytes; w = w * 7 + 3) {
    description += kWords[w % kWordCount];
    description += ' ';
  }
  description.resize(description_bytes);
  const std::string id = prefix + "/" + std::to_string(i);
  nlohmann::json record = {{"kind", "LearningResource"},
                           {"id", id},
                           {"title", {{"en", "Course " + prefix + " " + std::to_string(i)}}},
                           {"description", {{"en", description}}},
                           {"sectors", {"healthcare"}}};
  auto change = catalog::changeFromJson(record);
  EICHUB_CHECK(change.ok()) << change.status().toString();
  return std::move(change).value();
}

// header + signature + body bytes of a feed's updates from_seq..to_seq.
Result<uint64_t> payloadBytes(const store::CatalogStore& store, const PublicKey& author,
                              uint64_t from_seq, uint64_t to_seq) {
  uint64_t bytes = 0;
  for (uint64_t seq = from_seq; seq <= to_seq; seq += 20'000) {
    EICHUB_ASSIGN_OR_RETURN(auto run, store.queries().readFeed(author, seq, to_seq, 20'000));
    for (const auto& u : run) bytes += u.header.size() + u.signature.size() + u.body.size();
  }
  return bytes;
}

struct Published {
  PublicKey author{};
  uint64_t updates = 0;        // the feed's head seq
  uint64_t payload_bytes = 0;  // of the whole feed
  uint64_t new_updates = 0;    // written by this call
  double seconds = 0;          // to sign and store them
};

// Grows the node feed of the (stopped) node at home_dir to total updates, through the
// publisher (sign on a second thread, one write txn per 4096), in chunks that bound memory.
Result<Published> publishInto(const std::string& home_dir, uint64_t total,
                              size_t description_bytes) {
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<home::Home> home, home::Home::open(home_dir, false));
  store::CatalogStore& store = home->store();
  Published out;
  out.author = home->nodeKey().publicKey();
  EICHUB_ASSIGN_OR_RETURN(feed::Head head, store.queries().head(out.author));
  constexpr uint64_t kChunk = 50'000;
  auto start = Clock::now();
  for (uint64_t first = head.seq; first < total; first += kChunk) {
    std::vector<catalog::Change> changes;
    for (uint64_t i = first; i < std::min(total, first + kChunk); ++i) {
      changes.push_back(resourceChange("src", i, description_bytes));
    }
    EICHUB_ASSIGN_OR_RETURN(
        auto summary,
        publish::publishChanges(store, home->nodeKey(), home->options().network, changes));
    out.new_updates += summary.written();
  }
  out.seconds = secondsSince(start);
  EICHUB_ASSIGN_OR_RETURN(head, store.queries().head(out.author));
  out.updates = head.seq;
  EICHUB_ASSIGN_OR_RETURN(out.payload_bytes, payloadBytes(store, out.author, 1, head.seq));
  return out;
}

struct Footprint {
  uint64_t used_bytes = 0;  // LMDB pages in use
  uint64_t file_bytes = 0;  // blocks the data file occupies
  std::vector<std::pair<std::string_view, uint64_t>> tables;
};

// The store's size with a per-table breakdown. The store must not be open in this process.
Result<Footprint> footprint(const std::string& data_dir) {
  store::LmdbOptions options;
  options.read_only = true;
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<store::LmdbEnv> env,
                          store::LmdbEnv::open(data_dir, options));
  Footprint out;
  EICHUB_ASSIGN_OR_RETURN(out.used_bytes, env->usedBytes());
  struct stat st {};
  if (::stat((data_dir + "/data.mdb").c_str(), &st) == 0) {
    out.file_bytes = static_cast<uint64_t>(st.st_blocks) * 512;
  }
  EICHUB_ASSIGN_OR_RETURN(store::ReadTxn txn, env->beginRead());
  for (size_t t = 0; t < store::kTableCount; ++t) {
    EICHUB_ASSIGN_OR_RETURN(MDB_stat s, txn.stat(static_cast<store::Table>(t)));
    out.tables.emplace_back(store::tableName(static_cast<store::Table>(t)),
                            (s.ms_branch_pages + s.ms_leaf_pages + s.ms_overflow_pages) *
                                static_cast<uint64_t>(s.ms_psize));
  }
  return out;
}

void printFootprint(const Footprint& fp, uint64_t payload_bytes, uint64_t updates) {
  fmt::print(
      "  store {:.1f} MiB used ({:.1f} MiB on disk) for {:.1f} MiB payload = {:.3f} x "
      "payload, {:.0f} bytes/update\n",
      mib(fp.used_bytes), mib(fp.file_bytes), mib(payload_bytes),
      static_cast<double>(fp.used_bytes) / static_cast<double>(payload_bytes),
      static_cast<double>(fp.used_bytes) / static_cast<double>(updates));
  fmt::print("  by table:");
  for (const auto& [name, bytes] : fp.tables) {
    if (bytes > 0) fmt::print(" {} {:.1f} MiB", name, mib(bytes));
  }
  fmt::print("\n");
}

// process_s: CPU of the whole process, which counts threads that exited (short-lived workers).
void printCpu(const char* who, const std::map<std::string, double>& cpu, double process_s,
              double wall_s) {
  fmt::print("  {} CPU:", who);
  double total = 0;
  for (const auto& [name, seconds] : cpu) {
    fmt::print(" {} {:.2f}s", name, seconds);
    total += seconds;
  }
  fmt::print(" = {:.2f} s; whole process {:.2f} s in {:.2f} s wall ({:.0f}% of one core)\n", total,
             process_s, wall_s, 100 * process_s / wall_s);
}

struct Raw {
  double verify_per_s = 0;
  feed::VerifiedUpdate verify_sample;  // what verify_per_s verifies, to measure it again
  LmdbRate lmdb;
  CommitLatency commit;
  CurveRate curve;
};

struct Outcome {
  std::vector<std::string> lines;  // the summary: one target per line
  bool all_met = true;
  void add(bool met, const std::string& line) {
    all_met = all_met && met;
    lines.push_back(fmt::format("  [{:^7}] {}", verdict(met), line));
  }
};

Result<Raw> measureRaw(const Flags& flags, const std::string& work) {
  fmt::print("== raw limits ({})\n", load());
  Raw raw;
  auto key = crypto::SigningKey::generate();
  if (!key.ok()) return key.status();
  feed::FeedAppender appender(*key, kBenchNetwork, feed::Head{});
  catalog::Change change = resourceChange("src", 123'456, flags.description_bytes);
  feed::VerifiedUpdate sample = appender.append(change.op, catalog::kindCode(change.kind),
                                                change.id, change.tags, change.body, 1);
  raw.verify_per_s = rawVerifyRate(sample, 20'000);
  raw.verify_sample = sample;
  fmt::print("Ed25519 verify (1 core, {}-byte header):      {:>10.0f} /s\n",
             sample.signed_update.header.size(), raw.verify_per_s);
  // Before the bulk writes below, whose deleted file would still be settling on the disk.
  EICHUB_ASSIGN_OR_RETURN(raw.commit, rawLmdbCommitLatency(work + "/raw-commit", 500, 1024));
  fmt::print("LMDB commit of one 1 KiB put (with fsync):  median {:.0f} us  p99 {:.0f} us\n",
             raw.commit.median_us, raw.commit.p99_us);
  std::filesystem::remove_all(work + "/raw-commit");
  EICHUB_ASSIGN_OR_RETURN(raw.lmdb, rawLmdbWriteRate(work + "/raw-lmdb", 200'000, 1024, 4096));
  fmt::print("LMDB mdb_put 1 KiB (append, 4096 per txn):  {:>10.0f} /s = {:.0f} MiB/s\n",
             raw.lmdb.puts_per_s, raw.lmdb.mib_per_s);
  std::filesystem::remove_all(work + "/raw-lmdb");
  EICHUB_ASSIGN_OR_RETURN(raw.curve, rawCurveRate(flags.zmq_messages, 1 << 20, 2000));
  fmt::print("ZeroMQ CURVE DEALER->ROUTER, 1 MiB messages: {:>10.0f} /s = {:.0f} MiB/s\n",
             raw.curve.messages_per_s, raw.curve.mib_per_s);
  fmt::print("ZeroMQ CURVE round trip, 64 bytes:          median {:.0f} us  p99 {:.0f} us\n",
             raw.curve.rtt_median_us, raw.curve.rtt_p99_us);
  return raw;
}

// Signatures verified for each of the measurements beside the catch-up (about a second each).
constexpr int kVerifiesBeside = 10'000;

Status runCatchup(const std::string& work, BenchNode& source, const Published& published,
                  const std::optional<Raw>& raw, Outcome& outcome) {
  fmt::print("== catch-up: a fresh node pulls {} updates ({:.0f} bytes each) ({})\n",
             published.updates,
             static_cast<double>(published.payload_bytes) / static_cast<double>(published.updates),
             load());
  EICHUB_ASSIGN_OR_RETURN(auto dest, BenchNode::create(EICHUB_BINARY, work + "/dest", "dest"));
  EICHUB_RETURN_IF_ERROR(source.start(milliseconds(20'000)).status());
  EICHUB_RETURN_IF_ERROR(dest->start(milliseconds(20'000)).status());
  EICHUB_ASSIGN_OR_RETURN(std::string dest_card, dest->card());
  EICHUB_ASSIGN_OR_RETURN(std::string source_card, source.card());
  EICHUB_RETURN_IF_ERROR(source.cli({"peer", "add", dest_card}).status());

  store::StoreOptions read_only;
  read_only.read_only = true;
  EICHUB_ASSIGN_OR_RETURN(auto dest_store, store::CatalogStore::open(dest->dataDir(), read_only));
  ThreadCpu dest_before = dest->threadCpu();
  ThreadCpu source_before = source.threadCpu();
  const double dest_process_before = dest->processCpu();
  const double source_process_before = source.processCpu();
  const uint64_t n = published.updates;
  // This machine's core speed drifts by tens of percent over the minute the raw limits and the
  // source feed take: the verify rate the catch-up is compared with is measured again right
  // before and right after it, and their mean used, as node_bench does for the sign rate.
  std::optional<double> verify_before;
  if (raw) verify_before = rawVerifyRate(raw->verify_sample, kVerifiesBeside);
  // From the moment the destination is told of its peer until the last update is committed.
  auto start = Clock::now();
  EICHUB_RETURN_IF_ERROR(dest->cli({"peer", "add", source_card}).status());
  std::optional<double> first_s, at10_s, at90_s;
  std::vector<std::pair<double, uint64_t>> trace;  // (seconds, seq) every half second
  uint64_t seq = 0;
  const auto deadline = start + std::chrono::seconds(60 + n / 1000);
  while (seq < n) {
    if (Clock::now() > deadline) {
      return Status::Unavailable(
          fmt::format("catch-up stuck at {} of {}; see {}", seq, n, dest->logFile()));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
    EICHUB_ASSIGN_OR_RETURN(feed::Head head, dest_store->queries().head(published.author));
    seq = head.seq;
    if (seq > 0 && !first_s) first_s = secondsSince(start);
    if (seq >= n / 10 && !at10_s) at10_s = secondsSince(start);
    if (seq >= n * 9 / 10 && !at90_s) at90_s = secondsSince(start);
    if (secondsSince(start) >= 0.5 * static_cast<double>(trace.size() + 1)) {
      trace.emplace_back(secondsSince(start), seq);
    }
  }
  const double seconds = secondsSince(start);
  std::optional<double> verify_after;
  if (raw) verify_after = rawVerifyRate(raw->verify_sample, kVerifiesBeside);
  auto dest_cpu = cpuByThreadName(dest_before, dest->threadCpu());
  auto source_cpu = cpuByThreadName(source_before, source.threadCpu());
  const double dest_process = dest->processCpu() - dest_process_before;
  const double source_process = source.processCpu() - source_process_before;
  EICHUB_ASSIGN_OR_RETURN(auto feeds, dest_store->queries().feeds());
  uint64_t verified_up_to = 0;
  for (const auto& f : feeds) {
    if (f.author == published.author) verified_up_to = f.verified_up_to;
  }
  dest_store.reset();

  const double rate = static_cast<double>(n) / seconds;
  const double steady = (at10_s && at90_s && *at90_s > *at10_s)
                            ? static_cast<double>(n * 8 / 10) / (*at90_s - *at10_s)
                            : rate;
  fmt::print(
      "catch-up: {} updates in {:.2f} s = {:.0f} updates/s ({:.1f} MiB/s payload); "
      "first commit after {:.0f} ms; 10%..90% at {:.0f} updates/s\n",
      n, seconds, rate, mib(published.payload_bytes) / seconds, first_s.value_or(0) * 1000, steady);
  fmt::print("  progress (s: updates held):");
  for (const auto& [at, held] : trace) fmt::print(" {:.1f}: {}", at, held);
  fmt::print("\n");
  fmt::print("  verified_up_to {} of {} (every signature up to it checked or vouched for)\n",
             verified_up_to, n);
  printCpu("destination", dest_cpu, dest_process, seconds);
  printCpu("source", source_cpu, source_process, seconds);
  Memory mem = dest->memory();
  fmt::print("  destination RSS after catch-up {:.0f} MiB (anon {:.0f}, file {:.0f})\n",
             mem.rss_kib / 1024.0, mem.anon_kib / 1024.0, mem.file_kib / 1024.0);
  if (raw) {
    const double verify_per_s = (*verify_before + *verify_after) / 2;
    double ratio = rate / verify_per_s;
    fmt::print(
        "  Ed25519 verify (1 core) beside the catch-up: {:.0f} /s before, {:.0f} /s after, mean "
        "{:.0f} /s (raw limits above: {:.0f} /s)\n",
        *verify_before, *verify_after, verify_per_s, raw->verify_per_s);
    fmt::print(
        "  = {:.2f} x Ed25519 verify rate (target >= 6), {:.3f} x LMDB 1 KiB put rate, "
        "{:.3f} x CURVE MiB/s\n",
        ratio, rate / raw->lmdb.puts_per_s,
        mib(published.payload_bytes) / seconds / raw->curve.mib_per_s);
    outcome.add(ratio >= 6, fmt::format("catch-up {:.0f} updates/s = {:.2f} x verify rate "
                                        "{:.0f}/s beside it (target >= 6 x)",
                                        rate, ratio, verify_per_s));
  } else {
    outcome.add(false,
                fmt::format("catch-up {:.0f} updates/s (no raw verify rate: run raw too)", rate));
  }
  dest->stop();
  source.stop();
  EICHUB_ASSIGN_OR_RETURN(Footprint fp, footprint(dest->dataDir()));
  fmt::print("disk after catch-up (received via sync):\n");
  printFootprint(fp, published.payload_bytes, n);
  double disk = static_cast<double>(fp.used_bytes) / static_cast<double>(published.payload_bytes);
  outcome.add(
      disk <= 1.3,
      fmt::format("disk {:.3f} x payload after catching up {} updates (target <= 1.3 x)", disk, n));
  return Status::OK();
}

Status runLive(const Flags& flags, const std::string& work, const std::optional<Raw>& raw,
               Outcome& outcome) {
  fmt::print("== live: publish at A, arrival at C over A-B-C, {} updates ({})\n",
             flags.live_updates, load());
  EICHUB_ASSIGN_OR_RETURN(LineOfThree line, startLineOfThree(EICHUB_BINARY, work + "/live-"));
  auto& [a, b, c] = line;

  // A's store opened read-write beside its daemon, as `eichub publish` does.
  EICHUB_ASSIGN_OR_RETURN(auto a_store, store::CatalogStore::open(a->dataDir(), {}));
  EICHUB_ASSIGN_OR_RETURN(crypto::SigningKey key, crypto::SigningKey::loadPem(a->nodeKeyFile()));
  store::StoreOptions read_only;
  read_only.read_only = true;
  EICHUB_ASSIGN_OR_RETURN(auto b_store, store::CatalogStore::open(b->dataDir(), read_only));
  EICHUB_ASSIGN_OR_RETURN(auto c_store, store::CatalogStore::open(c->dataDir(), read_only));
  const PublicKey author = key.publicKey();

  constexpr uint64_t kWarmup = 10;
  std::vector<double> total, propagation, publish, notify, hop1, hop2;
  uint64_t timeouts = 0;
  ThreadCpu cpu_before[3] = {a->threadCpu(), b->threadCpu(), c->threadCpu()};
  double process_before[3] = {a->processCpu(), b->processCpu(), c->processCpu()};
  auto run_start = Clock::now();
  for (uint64_t i = 0; i < kWarmup + flags.live_updates; ++i) {
    std::vector<catalog::Change> one = {resourceChange("live", i, flags.description_bytes)};
    auto t0 = Clock::now();
    EICHUB_ASSIGN_OR_RETURN(auto summary,
                            publish::publishChanges(*a_store, key, kBenchNetwork, one));
    (void)summary;
    auto t1 = Clock::now();
    EICHUB_RETURN_IF_ERROR(daemon::notifyDaemon(a->dir()));
    auto t2 = Clock::now();
    EICHUB_ASSIGN_OR_RETURN(feed::Head target, a_store->queries().head(author));
    std::optional<Clock::time_point> at_b;
    Clock::time_point at_c;
    const auto deadline = t0 + std::chrono::seconds(5);
    while (true) {
      auto now = Clock::now();
      if (!at_b) {
        EICHUB_ASSIGN_OR_RETURN(feed::Head head_b, b_store->queries().head(author));
        if (head_b.seq >= target.seq) at_b = now;
      }
      EICHUB_ASSIGN_OR_RETURN(feed::Head head_c, c_store->queries().head(author));
      if (head_c.seq >= target.seq || now > deadline) {
        at_c = now;
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
    if (at_c > deadline) ++timeouts;
    if (!at_b) at_b = at_c;
    if (i >= kWarmup) {
      total.push_back(msBetween(t0, at_c));
      propagation.push_back(msBetween(t1, at_c));
      publish.push_back(msBetween(t0, t1));
      notify.push_back(msBetween(t1, t2));
      hop1.push_back(msBetween(t2, *at_b));
      hop2.push_back(msBetween(*at_b, at_c));
    }
    std::this_thread::sleep_for(milliseconds(5));  // updates apart, not a burst
  }
  const double wall = secondsSince(run_start);
  const char* who[3] = {"A", "B", "C"};
  BenchNode* nodes[3] = {a.get(), b.get(), c.get()};
  for (int n = 0; n < 3; ++n) {
    printCpu(who[n], cpuByThreadName(cpu_before[n], nodes[n]->threadCpu()),
             nodes[n]->processCpu() - process_before[n], wall);
  }
  Latency t = percentiles(propagation);
  auto show = [](const char* what, const std::vector<double>& ms) {
    Latency l = percentiles(ms);
    fmt::print("  {:<44} median {:7.2f} ms  p99 {:7.2f} ms\n", what, l.median, l.p99);
  };
  show("publish at A (sign + commit)", publish);
  show("notify A's daemon (askDaemon round trip)", notify);
  show("hop 1: A announces .. B committed", hop1);
  show("hop 2: B committed .. C committed", hop2);
  show("committed at A .. committed at C", propagation);
  show("total: publish starts at A .. committed at C", total);
  if (raw) {
    // Each hop: have (one way), want (one way), updates (one way), then a commit.
    double floor_ms = (2 * (raw->commit.median_us + 1.5 * raw->curve.rtt_median_us)) / 1000;
    fmt::print(
        "  floor from raw limits: 2 x (commit {:.2f} ms + 1.5 x CURVE RTT {:.2f} ms) = "
        "{:.2f} ms; median committed-at-A..C = {:.1f} x that floor\n",
        raw->commit.median_us / 1000, raw->curve.rtt_median_us / 1000, floor_ms,
        t.median / floor_ms);
  }
  if (timeouts > 0) fmt::print("  {} updates did not reach C within 5 s\n", timeouts);
  Latency all = percentiles(total);
  outcome.add(t.median < 5 && timeouts == 0,
              fmt::format("live A->B->C median {:.2f} ms committed at A..C ({:.2f} ms from the "
                          "start of the publish) (target < 5 ms)",
                          t.median, all.median));
  outcome.add(t.p99 < 20 && timeouts == 0,
              fmt::format("live A->B->C p99 {:.2f} ms committed at A..C ({:.2f} ms from the start "
                          "of the publish) (target < 20 ms)",
                          t.p99, all.p99));
  for (BenchNode* node : {a.get(), b.get(), c.get()}) node->stop();
  return Status::OK();
}

// Drops the data file's pages from the page cache (they are clean: LMDB synced them).
void evictFromPageCache(const std::string& data_dir) {
  int fd = ::open((data_dir + "/data.mdb").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

Status runStartup(const Flags& flags, BenchNode& source, Outcome& outcome) {
  fmt::print("== startup: a node holding {} updates ({})\n", flags.startup_updates, load());
  EICHUB_ASSIGN_OR_RETURN(
      Published grown, publishInto(source.dir(), flags.startup_updates, flags.description_bytes));
  if (grown.new_updates > 0) {
    fmt::print("  (published {} more in {:.1f} s = {:.0f} updates/s, sign + store)\n",
               grown.new_updates, grown.seconds,
               static_cast<double>(grown.new_updates) / grown.seconds);
  }
  EICHUB_ASSIGN_OR_RETURN(Footprint fp, footprint(source.dataDir()));
  fmt::print("disk of the publishing node:\n");
  printFootprint(fp, grown.payload_bytes, grown.updates);
  double disk = static_cast<double>(fp.used_bytes) / static_cast<double>(grown.payload_bytes);
  outcome.add(disk <= 1.3, fmt::format("disk {:.3f} x payload at {} published updates "
                                       "(target <= 1.3 x)",
                                       disk, grown.updates));
  double worst_start = 0;
  Memory worst_idle;
  for (int round = 0; round < 3; ++round) {
    const bool cold = round == 0;
    if (cold) evictFromPageCache(source.dataDir());
    EICHUB_ASSIGN_OR_RETURN(StartTimes times, source.start(milliseconds(30'000)));
    Memory at_start = source.memory();
    ThreadCpu cpu_before = source.threadCpu();
    std::this_thread::sleep_for(std::chrono::seconds(flags.idle_seconds));
    Memory idle = source.memory();
    double idle_cpu = 0;
    for (const auto& [name, s] : cpuByThreadName(cpu_before, source.threadCpu())) idle_cpu += s;
    fmt::print(
        "  start {} ({} page cache): listening after {:.0f} ms, serving after {:.0f} ms; "
        "RSS {:.1f} MiB at start, {:.1f} MiB after {} s idle (anon {:.1f}, file {:.1f}), "
        "idle CPU {:.2f} s\n",
        round + 1, cold ? "cold" : "warm", times.run_file_s * 1000, times.serving_s * 1000,
        at_start.rss_kib / 1024.0, idle.rss_kib / 1024.0, flags.idle_seconds,
        idle.anon_kib / 1024.0, idle.file_kib / 1024.0, idle_cpu);
    worst_start = std::max(worst_start, times.serving_s);
    if (idle.rss_kib > worst_idle.rss_kib) worst_idle = idle;
    if (source.stop() != 0) return Status::IOError("daemon did not stop cleanly");
  }
  outcome.add(worst_start < 2, fmt::format("start with {} updates: serving after {:.0f} ms, worst "
                                           "of 3 (target < 2 s)",
                                           grown.updates, worst_start * 1000));
  outcome.add(worst_idle.rss_kib < 200 * 1024,
              fmt::format("idle RSS {:.1f} MiB with {} updates (target < 200 MB)",
                          worst_idle.rss_kib / 1024.0, grown.updates));
  return Status::OK();
}

int run(const Flags& flags) {
  std::optional<testing::TempDir> temp;
  std::string work = flags.dir;
  if (work.empty()) {
    temp.emplace();
    work = temp->path();
  }
  std::filesystem::create_directories(work);
  fmt::print("federation_bench: {} cores, work dir {}, {}\n", std::thread::hardware_concurrency(),
             work, load());
  Outcome outcome;
  Status status = [&]() -> Status {
    std::optional<Raw> raw;
    if (flags.only.count("raw")) {
      EICHUB_ASSIGN_OR_RETURN(raw, measureRaw(flags, work));
    }
    std::unique_ptr<BenchNode> source;
    Published published;
    if (flags.only.count("catchup") || flags.only.count("startup")) {
      EICHUB_ASSIGN_OR_RETURN(source, BenchNode::create(EICHUB_BINARY, work + "/source", "source"));
      EICHUB_ASSIGN_OR_RETURN(
          published, publishInto(source->dir(), flags.catchup_updates, flags.description_bytes));
      fmt::print(
          "== source feed: {} updates, {:.1f} MiB payload, published in {:.1f} s = {:.0f} "
          "updates/s (sign + store)\n",
          published.updates, mib(published.payload_bytes), published.seconds,
          static_cast<double>(published.new_updates) / published.seconds);
    }
    if (flags.only.count("catchup")) {
      EICHUB_RETURN_IF_ERROR(runCatchup(work, *source, published, raw, outcome));
    }
    if (flags.only.count("live")) EICHUB_RETURN_IF_ERROR(runLive(flags, work, raw, outcome));
    if (flags.only.count("startup")) EICHUB_RETURN_IF_ERROR(runStartup(flags, *source, outcome));
    return Status::OK();
  }();
  fmt::print("== targets ({})\n", load());
  for (const std::string& line : outcome.lines) fmt::print("{}\n", line);
  if (!status.ok()) {
    fmt::print(stderr, "federation_bench: {}\n", status.toString());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace eichub::bench

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when the output is a file
  auto flags = eichub::bench::parseFlags(argc, argv);
  if (!flags) {
    fmt::print(stderr,
               "usage: federation_bench [--catchup-updates N] [--live-updates N] "
               "[--startup-updates N] [--description-bytes N] [--zmq-messages N] "
               "[--idle-seconds N] [--dir DIR] [--only raw,catchup,live,startup]\n");
    return 2;
  }
  return eichub::bench::run(*flags);
}
