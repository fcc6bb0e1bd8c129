// Test helpers: a temporary directory removed at scope exit, and the shared data location.
#pragma once

#include <string>

namespace eichub::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// ../shared/data beside the source tree, or "" when it is absent (tests then GTEST_SKIP).
std::string sharedDataDir();
// tests/testdata in the source tree.
std::string testDataDir();

}  // namespace eichub::testing
