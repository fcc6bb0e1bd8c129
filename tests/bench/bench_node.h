// BenchNode: one real eichub daemon for benchmarks: its home, its process, the CLI run against
// it, and what /proc says about it (resident memory, CPU time per thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "federation/common/result.h"

namespace eichub::bench {

// The network every benchmark home belongs to.
inline constexpr char kBenchNetwork[] = "bench-net";

// Resident memory of a process, from /proc/<pid>/status, in KiB.
struct Memory {
  uint64_t rss_kib = 0;   // VmRSS
  uint64_t anon_kib = 0;  // RssAnon: heap, stacks, ZeroMQ buffers
  uint64_t file_kib = 0;  // RssFile: mapped files, mostly LMDB pages touched
};

// CPU seconds (user + system) per thread of a process, keyed "<name>/<tid>"; the main thread's
// name gets " main" appended (the daemon's other threads are unnamed: "eichub" is the writer).
using ThreadCpu = std::map<std::string, double>;

// What start() measured, in seconds since the fork.
struct StartTimes {
  double run_file_s = 0;  // daemon.json written: the ROUTER is bound
  double serving_s = 0;   // the control channel answered "status"
};

// Not a test helper: failures come back as Status, so a benchmark can stop with a message.
// Not thread-safe.
class BenchNode {
 public:
  // Creates a home at dir with `eichub init` (network kBenchNetwork, tcp://127.0.0.1:*).
  // binary is the eichub executable. Errors: IOError with init's stderr.
  static Result<std::unique_ptr<BenchNode>> create(std::string binary, std::string dir,
                                                   const std::string& name);
  ~BenchNode();  // SIGKILLs a daemon still running
  BenchNode(const BenchNode&) = delete;
  BenchNode& operator=(const BenchNode&) = delete;

  // Runs `eichub <args> --home <dir>` and returns its stdout. Errors: IOError with stderr.
  Result<std::string> cli(std::vector<std::string> args) const;

  // Forks `eichub run --log-level info` (log in <dir>.log) and returns once the control
  // channel answers "status", polling every 200 us. Errors: Unavailable after timeout.
  Result<StartTimes> start(std::chrono::milliseconds timeout);
  // SIGTERM and wait; returns the exit code (-1 when killed by a signal or not running).
  int stop();
  pid_t pid() const { return pid_; }

  const std::string& dir() const { return dir_; }
  std::string dataDir() const { return dir_ + "/data"; }
  std::string logFile() const { return dir_ + ".log"; }
  std::string nodeKeyFile() const { return dir_ + "/keys/node.key"; }

  Result<std::string> card() const;    // `eichub id` (the daemon must run for the real port)
  Result<std::string> nodeId() const;  // 64 hex
  // The daemon's control "status" reply (JSON text). Errors: Unavailable.
  Result<std::string> daemonStatus() const;
  // Number of links the daemon reports up. 0 when it does not answer.
  int linksUp() const;

  Memory memory() const;
  ThreadCpu threadCpu() const;
  // CPU seconds (user + system) of the whole process, threads that already exited included.
  double processCpu() const;

 private:
  struct Token {};  // keeps construction inside create()

 public:
  BenchNode(Token, std::string binary, std::string dir)
      : binary_(std::move(binary)), dir_(std::move(dir)) {}

 private:
  std::string binary_;
  std::string dir_;
  pid_t pid_ = -1;
};

// Peers a and b both ways (both must run, for their cards to carry the bound ports).
Status peerBothWays(const BenchNode& a, const BenchNode& b);

// Three daemons of binary in dir_prefix + "a" / "b" / "c", started and peered in a line A-B-C,
// C trusting A's feed (which it hears only through B), returned once every link is up.
struct LineOfThree {
  std::unique_ptr<BenchNode> a, b, c;
};
Result<LineOfThree> startLineOfThree(const std::string& binary, const std::string& dir_prefix);

// Sum of the CPU seconds in after minus before, per thread name (tid dropped).
std::map<std::string, double> cpuByThreadName(const ThreadCpu& before, const ThreadCpu& after);

}  // namespace eichub::bench
