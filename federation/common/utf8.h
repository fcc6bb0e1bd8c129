// UTF-8 validation for text that arrives from peers, files and users.
#pragma once

#include <string_view>

namespace eichub {

// True when s is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool isValidUtf8(std::string_view s);

}  // namespace eichub
