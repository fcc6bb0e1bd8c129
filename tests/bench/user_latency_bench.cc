// User latency benchmark (not a test): three real daemons A-B-C in a line, timed as a user sees
// them. One record published at A, by `POST /api/v1/publish` or by an `eichub publish` process,
// until C's change-feed long poll (`GET /api/v1/changes?feed=longpoll`) returns it; and the CLI
// publish process from start to exit.
// Usage: user_latency_bench [--publishes N] [--binary PATH] [--dir DIR]
// --binary runs the daemons and the CLI of another build (a before/after comparison).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/bench/bench_node.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub::bench {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kToken[] = "user-latency-bench-token";
constexpr int kWarmup = 5;
constexpr int kLongPollTimeoutMs = 10'000;

struct Flags {
  int publishes = 50;
  std::string binary = EICHUB_BINARY;
  std::string dir;
};

std::optional<Flags> parseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    std::string value = argv[i + 1];
    if (name == "--binary") {
      flags.binary = value;
    } else if (name == "--dir") {
      flags.dir = value;
    } else if (name == "--publishes") {
      int n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n <= 0) return std::nullopt;
      flags.publishes = n;
    } else {
      return std::nullopt;
    }
  }
  if (argc % 2 == 0) return std::nullopt;
  return flags;
}

double msBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

struct Latency {
  double median = 0;
  double p99 = 0;
  double min = 0;
};
Latency percentiles(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values[values.size() * 99 / 100], values.front()};
}
void show(const char* what, const std::vector<double>& ms) {
  Latency l = percentiles(ms);
  fmt::print("  {:<52} median {:7.2f} ms  p99 {:7.2f} ms  min {:7.2f} ms\n", what, l.median, l.p99,
             l.min);
}

// host:port of a running daemon's HTTP API, from its run file.
Result<std::string> httpAddress(const BenchNode& node) {
  std::ifstream in(node.dir() + "/daemon.json");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("http")) return Status::Unavailable("no daemon.json");
  return doc["http"].get<std::string>();
}

httplib::Client clientFor(const std::string& address) {
  const size_t colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  client.set_read_timeout(std::chrono::seconds(30));
  return client;
}

std::string recordLine(const std::string& id) {
  return nlohmann::json({{"kind", "LearningResource"},
                         {"id", id},
                         {"title", {{"en", "Course " + id}}},
                         {"sectors", {"healthcare"}}})
             .dump() +
         "\n";
}

// Long polls C's change feed from since until an entry with id comes back; returns when, and
// moves since past what it read.
class ChangeWatcher {
 public:
  ChangeWatcher(std::string address, uint64_t since)
      : address_(std::move(address)), since_(since) {}

  // Starts the long poll on its own thread (call before publishing).
  void start(std::string id) {
    id_ = std::move(id);
    thread_ = std::thread([this] { run(); });
  }
  // Waits for the thread; the time C answered with the record, or nullopt.
  std::optional<Clock::time_point> finish() {
    thread_.join();
    return seen_at_;
  }

 private:
  void run() {
    seen_at_.reset();
    httplib::Client client = clientFor(address_);
    const auto deadline = Clock::now() + milliseconds(kLongPollTimeoutMs);
    while (Clock::now() < deadline) {
      auto res = client.Get(
          "/api/v1/changes?feed=longpoll&limit=1000&timeout=" + std::to_string(kLongPollTimeoutMs) +
          "&since=" + std::to_string(since_));
      const auto now = Clock::now();
      if (!res || res->status != 200) return;
      nlohmann::json doc = nlohmann::json::parse(res->body, nullptr, false);
      if (doc.is_discarded()) return;
      since_ = doc["last_seq"].get<uint64_t>();
      for (const auto& entry : doc["results"]) {
        if (entry["id"] == id_) {
          seen_at_ = now;
          return;
        }
      }
    }
  }

  std::string address_;
  uint64_t since_;
  std::string id_;
  std::thread thread_;
  std::optional<Clock::time_point> seen_at_;
};

Result<uint64_t> lastSeq(const std::string& address) {
  httplib::Client client = clientFor(address);
  uint64_t since = 0;
  while (true) {
    auto res = client.Get("/api/v1/changes?limit=1000&since=" + std::to_string(since));
    if (!res || res->status != 200) return Status::Unavailable("changes at " + address);
    nlohmann::json doc = nlohmann::json::parse(res->body, nullptr, false);
    if (doc.is_discarded()) return Status::Corruption("changes answer");
    uint64_t last = doc["last_seq"].get<uint64_t>();
    if (last == since) return last;
    since = last;
  }
}

Status run(const Flags& flags, const std::string& work) {
  ::setenv("EICHUB_HTTP_API_TOKEN", kToken, 1);  // the daemons inherit it: A accepts publishes
  EICHUB_ASSIGN_OR_RETURN(LineOfThree line, startLineOfThree(flags.binary, work + "/"));
  auto& [a, b, c] = line;
  EICHUB_ASSIGN_OR_RETURN(std::string a_http, httpAddress(*a));
  EICHUB_ASSIGN_OR_RETURN(std::string c_http, httpAddress(*c));
  EICHUB_ASSIGN_OR_RETURN(uint64_t since, lastSeq(c_http));
  ChangeWatcher watcher(c_http, since);
  httplib::Client publisher = clientFor(a_http);
  publisher.set_bearer_token_auth(kToken);

  std::vector<double> http_total, http_answer, cli_total, cli_process;
  int missed = 0;
  for (int i = 0; i < kWarmup + flags.publishes; ++i) {
    const std::string id = "http/" + std::to_string(i);
    watcher.start(id);
    std::this_thread::sleep_for(milliseconds(5));  // the long poll is waiting at C
    const auto t0 = Clock::now();
    auto res = publisher.Post("/api/v1/publish", recordLine(id), "application/x-ndjson");
    const auto t1 = Clock::now();
    if (!res || res->status != 200) {
      (void)watcher.finish();
      return Status::IOError("publish at A failed", res ? res->body : "no answer");
    }
    auto at_c = watcher.finish();
    if (!at_c) ++missed;
    if (i >= kWarmup && at_c) {
      http_total.push_back(msBetween(t0, *at_c));
      http_answer.push_back(msBetween(t0, t1));
    }
  }
  const std::string file = work + "/one.jsonl";
  for (int i = 0; i < kWarmup + flags.publishes; ++i) {
    const std::string id = "cli/" + std::to_string(i);
    std::ofstream(file) << recordLine(id);
    watcher.start(id);
    std::this_thread::sleep_for(milliseconds(5));
    const auto t0 = Clock::now();
    testing::ProcessResult r =
        testing::runProcess({flags.binary, "publish", file, "--home", a->dir()});
    const auto t1 = Clock::now();
    if (r.exit_code != 0) {
      (void)watcher.finish();
      return Status::IOError("eichub publish failed", r.err);
    }
    auto at_c = watcher.finish();
    if (!at_c) ++missed;
    if (i >= kWarmup && at_c) {
      cli_total.push_back(msBetween(t0, *at_c));
      cli_process.push_back(msBetween(t0, t1));
    }
  }
  fmt::print("user_latency_bench: {} publishes each way after {} warm-up, binary {}\n",
             flags.publishes, kWarmup, flags.binary);
  show("POST /api/v1/publish at A .. C's long poll returns it", http_total);
  show("POST /api/v1/publish at A answered", http_answer);
  show("eichub publish at A starts .. C's long poll returns it", cli_total);
  show("eichub publish process, start to exit", cli_process);
  if (missed > 0)
    fmt::print("  {} records not seen at C within {} ms\n", missed, kLongPollTimeoutMs);
  for (BenchNode* node : {a.get(), b.get(), c.get()}) node->stop();
  return Status::OK();
}

}  // namespace
}  // namespace eichub::bench

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  auto flags = eichub::bench::parseFlags(argc, argv);
  if (!flags) {
    fmt::print(stderr, "usage: user_latency_bench [--publishes N] [--binary PATH] [--dir DIR]\n");
    return 2;
  }
  std::optional<eichub::testing::TempDir> temp;
  std::string work = flags->dir;
  if (work.empty()) {
    temp.emplace();
    work = temp->path();
  }
  std::filesystem::create_directories(work);
  eichub::Status status = eichub::bench::run(*flags, work);
  if (!status.ok()) {
    fmt::print(stderr, "user_latency_bench: {}\n", status.toString());
    return 1;
  }
  return 0;
}
