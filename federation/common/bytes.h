// Byte strings and fixed-size keys and hashes shared by every module.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eichub {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline constexpr size_t kHashBytes = 32;       // SHA-256
inline constexpr size_t kPublicKeyBytes = 32;  // Ed25519
inline constexpr size_t kSignatureBytes = 64;  // Ed25519

using Hash32 = std::array<uint8_t, kHashBytes>;
using PublicKey = std::array<uint8_t, kPublicKeyBytes>;

inline ByteView asBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view asChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Lower-case hex.
std::string toHex(ByteView bytes);
// Parses hex (either case); nullopt on odd length or a non-hex character.
std::optional<Bytes> fromHex(std::string_view hex);
// Parses exactly N bytes of hex.
template <size_t N>
std::optional<std::array<uint8_t, N>> fixedFromHex(std::string_view hex) {
  auto bytes = fromHex(hex);
  if (!bytes || bytes->size() != N) return std::nullopt;
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
  return out;
}

// Big-endian fixed-width integers, as used in LMDB keys so that byte order is numeric order.
void appendU64BE(Bytes& out, uint64_t v);
uint64_t readU64BE(const uint8_t* p);

}  // namespace eichub
