// Test helpers: temporary directories and data locations.
#include "tests/testing/temp_dir.h"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "federation/common/check.h"

namespace eichub::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/eichub-test-XXXXXX";
  EICHUB_CHECK(mkdtemp(pattern.data()) != nullptr) << "mkdtemp " << pattern;
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("EICHUB_KEEP_TEST_DIRS") != nullptr) return;  // for reading logs afterwards
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string sharedDataDir() {
  std::error_code ec;
  std::string dir = EICHUB_SHARED_DATA;
  if (std::filesystem::is_directory(dir + "/esco", ec)) return dir;
  return "";
}

std::string testDataDir() { return EICHUB_TESTDATA; }

}  // namespace eichub::testing
