// flipStoredBit: locate a stored value's bytes in data.mdb through LMDB's map and /proc/self/maps,
// then rewrite one byte of the file with pwrite.
#include "tests/testing/store_flip.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/lmdb_env.h"

namespace eichub::testing {
namespace {

// The offset in file of the mapped byte at address, from this process's mappings.
Result<uint64_t> fileOffsetOf(const void* address, const std::string& file) {
  const auto target = reinterpret_cast<uintptr_t>(address);
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms, offset, dev, inode, path;
    in >> range >> perms >> offset >> dev >> inode >> path;
    if (path != file) continue;
    const uintptr_t start = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
    const uintptr_t end = std::stoull(range.substr(range.find('-') + 1), nullptr, 16);
    if (target >= start && target < end) return target - start + std::stoull(offset, nullptr, 16);
  }
  return Status::NotFound("address not mapped from", file);
}

}  // namespace

Result<uint64_t> flipStoredBit(const std::string& data_dir, const PublicKey& author, uint64_t seq,
                               StoredPart part, size_t index) {
  const std::string file = std::filesystem::canonical(data_dir + "/data.mdb").string();
  uint64_t offset = 0;
  {
    store::LmdbOptions options;
    options.read_only = true;
    EICHUB_ASSIGN_OR_RETURN(auto env, store::LmdbEnv::open(data_dir, options));
    EICHUB_ASSIGN_OR_RETURN(store::ReadTxn txn, env->beginRead());
    EICHUB_ASSIGN_OR_RETURN(ByteView raw, store::internal::getHeaderValue(txn, author, seq));
    EICHUB_ASSIGN_OR_RETURN(store::internal::HeaderValue value,
                            store::internal::decodeHeaderValue(raw));
    const ByteView bytes = part == StoredPart::kValue    ? raw
                           : part == StoredPart::kHeader ? value.header
                                                         : value.body.bytes;
    if (index >= bytes.size()) return Status::NotFound("index past the stored part");
    EICHUB_ASSIGN_OR_RETURN(offset, fileOffsetOf(bytes.data() + index, file));
  }  // the txn and the environment close before the file is written
  const int fd = ::open(file.c_str(), O_RDWR);
  if (fd < 0) return Status::IOError("cannot open", file);
  uint8_t byte = 0;
  const auto at = static_cast<off_t>(offset);
  bool ok = ::pread(fd, &byte, 1, at) == 1;
  byte ^= 0x01;
  ok = ok && ::pwrite(fd, &byte, 1, at) == 1 && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Status::IOError("cannot rewrite a byte of", file);
  return offset;
}

}  // namespace eichub::testing
