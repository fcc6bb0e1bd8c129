// Private mounts for disk-full tests: this process (and the nodes it starts) enters its own
// mount namespace, so a small tmpfs mounted for a node's data is seen by nobody else and goes
// away with the process even if the test dies.
#pragma once

#include <cstdint>
#include <string>

namespace eichub::testing {

// Moves this process into a new mount namespace with every mount private (no propagation to
// the host). Returns "" on success, else why not (not root, no CLONE_NEWNS): tests then skip.
std::string enterPrivateMountNamespace();

// A tmpfs of size_bytes mounted at an existing empty directory; unmounted on destruction.
class TmpfsMount {
 public:
  TmpfsMount(std::string path, uint64_t size_bytes);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  const std::string& error() const { return error_; }  // "" when mounted
  // Free bytes left on the filesystem.
  uint64_t freeBytes() const;

 private:
  std::string path_;
  std::string error_;
};

// Writes filler at path until the filesystem is full (ENOSPC). Returns the bytes written.
uint64_t fillDisk(const std::string& path);

}  // namespace eichub::testing
