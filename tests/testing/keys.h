// Author keys for tests that key tables and maps by author but make no signature: 32 bytes of
// one value, so that key order is the order of the values.
#pragma once

#include <cstdint>

#include "federation/common/bytes.h"

namespace eichub::testing {

inline PublicKey filledKey(uint8_t byte) {
  PublicKey key{};
  key.fill(byte);
  return key;
}

}  // namespace eichub::testing
