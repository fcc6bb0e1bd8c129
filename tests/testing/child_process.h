// ChildProcess: a program started in the background (stdout and stderr to a log file) that a
// test can wait for or SIGKILL at any instant. The destructor kills a child still running.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace eichub::testing {

class ChildProcess {
 public:
  // Starts argv[0] with argv (no shell); output is appended to log_path.
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The exit code once the child has exited (-1 when a signal ended it); nullopt while it runs.
  std::optional<int> poll();
  // Waits up to timeout for the child to exit by itself; its exit code, or nullopt.
  std::optional<int> waitFor(std::chrono::milliseconds timeout);
  // SIGKILL (if still running) and reap. True when the signal ended the child, false when it had
  // already exited by itself.
  bool kill();

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// The anonymous resident memory (its heap) of an eichub child, from /proc/<pid>/status, in kB.
// RssFile is left out: it counts the store's LMDB pages touched through a read-only map, which
// the kernel reclaims at will. 0 until the child runs eichub: before its exec it is a copy of the
// test, whose heap may hold the test's own data.
int64_t rssAnonKb(pid_t pid);

// What sampleUntilExit saw.
struct SampledRun {
  std::optional<int> exit_code;  // nullopt when the timeout came first
  int64_t peak_anon_kb = 0;
};
// Polls child until it exits or timeout passes, sampling rssAnonKb every few milliseconds.
SampledRun sampleUntilExit(ChildProcess& child, std::chrono::seconds timeout);

}  // namespace eichub::testing
