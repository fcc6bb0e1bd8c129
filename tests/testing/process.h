// Test helpers: runs a program to completion and captures its exit code, stdout and stderr; stops a
// child started in the background.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace eichub::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
  int64_t max_rss_kb = 0;  // the process's peak resident memory (getrusage)
};

// Runs argv[0] with argv (no shell), with extra "KEY=VALUE" entries added to the environment.
ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::vector<std::string>& extra_env = {});

// SIGTERM to the child pid and waits for it (a clean stop). Returns its exit code, -1 when a signal
// ended it.
int terminateAndWait(pid_t pid);
// SIGKILL to the child pid and reaps it (a crash).
void killAndWait(pid_t pid);

}  // namespace eichub::testing
