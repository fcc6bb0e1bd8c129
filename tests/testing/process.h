// Test helper: runs a program to completion and captures its exit code, stdout and stderr.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

}  // namespace eichub::testing
