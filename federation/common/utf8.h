// UTF-8 validation for text that arrives from peers, files and users.
#pragma once

#include <cstddef>
#include <string_view>

namespace eichub {

// The offset of the first byte that is not part of well-formed UTF-8 (an overlong, a
// surrogate, anything above U+10FFFF, a truncated sequence), or npos when s is valid.
size_t firstInvalidUtf8(std::string_view s);

inline bool isValidUtf8(std::string_view s) {
  return firstInvalidUtf8(s) == std::string_view::npos;
}

}  // namespace eichub
