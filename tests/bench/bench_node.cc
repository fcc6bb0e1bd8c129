// BenchNode: homes and daemons of real eichub processes for the federation benchmark.
#include "tests/bench/bench_node.h"

#include <filesystem>
#include <sstream>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "node/daemon/control.h"
#include "tests/testing/files.h"
#include "tests/testing/process.h"

namespace eichub::bench {

namespace {

using Clock = std::chrono::steady_clock;
using testing::readFile;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The value in KiB of a "Name:   123 kB" line of /proc/<pid>/status.
uint64_t statusKib(const std::string& status, const std::string& name) {
  size_t at = status.find(name + ":");
  if (at == std::string::npos) return 0;
  return std::strtoull(status.c_str() + at + name.size() + 1, nullptr, 10);
}

// utime + stime, in seconds, of a /proc/.../stat line.
double statCpuSeconds(const std::string& stat) {
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return 0;
  // Fields after the name: state(3) ... utime(14) stime(15), numbered from 1 with pid.
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::strtod(field.c_str(), nullptr);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

Result<std::unique_ptr<BenchNode>> BenchNode::create(std::string binary, std::string dir,
                                                     const std::string& name) {
  auto node = std::make_unique<BenchNode>(Token{}, std::move(binary), std::move(dir));
  EICHUB_ASSIGN_OR_RETURN(
      std::string out,
      node->cli({"init", "--name", name, "--region", "UKE42", "--sector", "healthcare", "--network",
                 kBenchNetwork, "--listen", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0"}));
  (void)out;
  return node;
}

BenchNode::~BenchNode() {
  if (pid_ > 0) testing::killAndWait(pid_);
}

Result<std::string> BenchNode::cli(std::vector<std::string> args) const {
  args.insert(args.begin(), binary_);
  args.push_back("--home");
  args.push_back(dir_);
  testing::ProcessResult r = testing::runProcess(args);
  if (r.exit_code != 0) {
    return Status::IOError("eichub " + args[1] + " on " + dir_ + " failed", r.err);
  }
  return r.out;
}

Result<StartTimes> BenchNode::start(std::chrono::milliseconds timeout) {
  if (pid_ > 0) return Status::AlreadyExists("daemon already running for " + dir_);
  std::filesystem::remove(dir_ + "/daemon.json");
  const std::string log = logFile();
  auto start = Clock::now();
  pid_ = ::fork();
  if (pid_ < 0) return Status::IOError("fork failed");
  if (pid_ == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execl(binary_.c_str(), binary_.c_str(), "run", "--home", dir_.c_str(), "--log-level", "info",
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  StartTimes times;
  auto deadline = start + timeout;
  while (!std::filesystem::exists(dir_ + "/daemon.json")) {
    if (Clock::now() > deadline) return Status::Unavailable("no run file; see " + log);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  times.run_file_s = secondsSince(start);
  while (!daemon::askDaemon(dir_, "status", 100).ok()) {
    if (Clock::now() > deadline) return Status::Unavailable("no status answer; see " + log);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  times.serving_s = secondsSince(start);
  return times;
}

int BenchNode::stop() {
  if (pid_ <= 0) return -1;
  return testing::terminateAndWait(std::exchange(pid_, -1));
}

Result<std::string> BenchNode::card() const {
  EICHUB_ASSIGN_OR_RETURN(std::string out, cli({"id"}));
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

Result<std::string> BenchNode::nodeId() const {
  EICHUB_ASSIGN_OR_RETURN(std::string out, cli({"id", "--json"}));
  nlohmann::json doc = nlohmann::json::parse(out, nullptr, false);
  if (!doc.is_object() || !doc["node"].is_string()) {
    return Status::IOError("eichub id --json", out);
  }
  return doc["node"].get<std::string>();
}

Result<std::string> BenchNode::daemonStatus() const { return daemon::askDaemon(dir_, "status"); }

int BenchNode::linksUp() const {
  auto reply = daemonStatus();
  if (!reply.ok()) return 0;
  nlohmann::json doc = nlohmann::json::parse(*reply, nullptr, false);
  if (!doc.is_object() || !doc["links"].is_array()) return 0;
  int up = 0;
  for (const auto& link : doc["links"]) {
    if (link["up"].is_boolean() && link["up"].get<bool>()) ++up;
  }
  return up;
}

Memory BenchNode::memory() const {
  Memory memory;
  if (pid_ <= 0) return memory;
  std::string status = readFile("/proc/" + std::to_string(pid_) + "/status");
  memory.rss_kib = statusKib(status, "VmRSS");
  memory.anon_kib = statusKib(status, "RssAnon");
  memory.file_kib = statusKib(status, "RssFile");
  return memory;
}

double BenchNode::processCpu() const {
  if (pid_ <= 0) return 0;
  return statCpuSeconds(readFile("/proc/" + std::to_string(pid_) + "/stat"));
}

ThreadCpu BenchNode::threadCpu() const {
  ThreadCpu out;
  if (pid_ <= 0) return out;
  const std::string task_dir = "/proc/" + std::to_string(pid_) + "/task";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(task_dir, ec)) {
    std::string stat = readFile(entry.path().string() + "/stat");
    size_t open = stat.find('(');
    size_t close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::string name = stat.substr(open + 1, close - open - 1);
    const std::string tid = entry.path().filename().string();
    if (tid == std::to_string(pid_)) name += " main";
    double seconds = statCpuSeconds(stat);
    out[name + "/" + tid] = seconds;
  }
  return out;
}

Status peerBothWays(const BenchNode& a, const BenchNode& b) {
  EICHUB_ASSIGN_OR_RETURN(std::string card_a, a.card());
  EICHUB_ASSIGN_OR_RETURN(std::string card_b, b.card());
  EICHUB_RETURN_IF_ERROR(a.cli({"peer", "add", card_b}).status());
  EICHUB_RETURN_IF_ERROR(b.cli({"peer", "add", card_a}).status());
  return Status::OK();
}

namespace {

// Waits until every node reports at least the given number of links up.
Status waitLinks(const std::vector<std::pair<BenchNode*, int>>& nodes) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  for (const auto& [node, links] : nodes) {
    while (node->linksUp() < links) {
      if (Clock::now() > deadline) return Status::Unavailable("links not up: " + node->dir());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  return Status::OK();
}

}  // namespace

Result<LineOfThree> startLineOfThree(const std::string& binary, const std::string& dir_prefix) {
  LineOfThree line;
  EICHUB_ASSIGN_OR_RETURN(line.a, BenchNode::create(binary, dir_prefix + "a", "a"));
  EICHUB_ASSIGN_OR_RETURN(line.b, BenchNode::create(binary, dir_prefix + "b", "b"));
  EICHUB_ASSIGN_OR_RETURN(line.c, BenchNode::create(binary, dir_prefix + "c", "c"));
  for (BenchNode* node : {line.a.get(), line.b.get(), line.c.get()}) {
    EICHUB_RETURN_IF_ERROR(node->start(std::chrono::milliseconds(20'000)).status());
  }
  EICHUB_RETURN_IF_ERROR(peerBothWays(*line.a, *line.b));
  EICHUB_RETURN_IF_ERROR(peerBothWays(*line.b, *line.c));
  EICHUB_ASSIGN_OR_RETURN(std::string a_id, line.a->nodeId());
  EICHUB_RETURN_IF_ERROR(line.c->cli({"trust", "add", a_id}).status());
  EICHUB_RETURN_IF_ERROR(waitLinks({{line.a.get(), 2}, {line.b.get(), 4}, {line.c.get(), 2}}));
  return line;
}

std::map<std::string, double> cpuByThreadName(const ThreadCpu& before, const ThreadCpu& after) {
  std::map<std::string, double> out;
  for (const auto& [key, seconds] : after) {
    auto it = before.find(key);
    double used = seconds - (it == before.end() ? 0 : it->second);
    out[key.substr(0, key.rfind('/'))] += used;
  }
  return out;
}

}  // namespace eichub::bench
