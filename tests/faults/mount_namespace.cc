// Private mount namespace and tmpfs mounts through the raw syscalls.
#include "tests/faults/mount_namespace.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace eichub::testing {

std::string enterPrivateMountNamespace() {
  if (::unshare(CLONE_NEWNS) != 0) {
    return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno) + " (needs root)";
  }
  if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return std::string("making mounts private: ") + std::strerror(errno);
  }
  return "";
}

TmpfsMount::TmpfsMount(std::string path, uint64_t size_bytes) : path_(std::move(path)) {
  std::string options = "size=" + std::to_string(size_bytes) + ",mode=0755";
  if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
    error_ = "mount tmpfs at " + path_ + ": " + std::strerror(errno);
  }
}

TmpfsMount::~TmpfsMount() {
  if (error_.empty()) ::umount2(path_.c_str(), MNT_DETACH);
}

uint64_t TmpfsMount::freeBytes() const {
  struct statvfs stats {};
  if (::statvfs(path_.c_str(), &stats) != 0) return 0;
  return static_cast<uint64_t>(stats.f_bavail) * stats.f_frsize;
}

uint64_t fillDisk(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  std::vector<char> block(64 * 1024, 'f');
  uint64_t written = 0;
  while (true) {
    ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) break;
    written += static_cast<uint64_t>(n);
  }
  ::close(fd);
  return written;
}

}  // namespace eichub::testing
