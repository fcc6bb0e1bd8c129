// Input splitting and memfd-backed files for the fuzz targets.
#include "tests/fuzz/fuzz_input.h"

#include <sys/mman.h>
#include <unistd.h>

#include "federation/common/check.h"

namespace eichub::fuzz {

std::vector<std::string_view> splitParts(std::string_view input, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    size_t at = input.find(kPartSeparator);
    if (at == std::string_view::npos) break;
    out.push_back(input.substr(0, at));
    input.remove_prefix(at + kPartSeparator.size());
  }
  out.push_back(input);
  out.resize(parts);
  return out;
}

std::string joinParts(const std::vector<std::string_view>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += kPartSeparator;
    out += parts[i];
  }
  return out;
}

MemFile::MemFile(std::string_view bytes) : fd_(::memfd_create("eichub-fuzz", MFD_CLOEXEC)) {
  // Failing here is the harness's environment, not the code under test: stop loudly.
  EICHUB_CHECK(fd_ >= 0) << "memfd_create failed";
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
    EICHUB_CHECK(n > 0) << "write to memfd failed";
    written += static_cast<size_t>(n);
  }
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

MemFile::~MemFile() { ::close(fd_); }

}  // namespace eichub::fuzz
