// What the fuzz targets share: splitting one input into parts, handing bytes to readers that
// take a path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "federation/common/bytes.h"

namespace eichub::fuzz {

// Separates the parts of a multi-part input (a mapping and its CSV, a config and peers.toml).
// Listed in every dictionary that needs it, so mutations keep or make the split.
inline constexpr std::string_view kPartSeparator = "\n@@@@\n";

// Splits input at kPartSeparator into exactly parts pieces: the last one takes the rest, and
// missing ones are empty.
std::vector<std::string_view> splitParts(std::string_view input, size_t parts);

// Joins parts with kPartSeparator (the inverse of splitParts, for seed generation).
std::string joinParts(const std::vector<std::string_view>& parts);

inline std::string_view asText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An anonymous in-memory file (memfd) holding bytes, opened by path() like a regular file.
// Owns the descriptor; the file is gone when this object is.
class MemFile {
 public:
  explicit MemFile(std::string_view bytes);
  ~MemFile();
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  // "/proc/self/fd/<n>": valid while this object lives.
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

}  // namespace eichub::fuzz
