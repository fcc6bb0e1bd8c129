// The fixture of the CLI integration tests: runs the real eichub binary (EICHUB_BINARY, set by
// each test target) on homes in a temporary directory.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub::testing {

class CliFixture : public ::testing::Test {
 protected:
  ProcessResult eichub(std::vector<std::string> args) {
    args.insert(args.begin(), EICHUB_BINARY);
    return runProcess(args);
  }
  // Runs a command that must succeed and returns its stdout.
  std::string ok(std::vector<std::string> args) {
    ProcessResult r = eichub(args);
    EXPECT_EQ(r.exit_code, 0) << "eichub " << args[0] << ": " << r.err;
    return r.out;
  }
  std::string home(const std::string& name) { return dir_.file(name); }

  TempDir dir_;
};

}  // namespace eichub::testing
