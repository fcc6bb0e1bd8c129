// CURVE key generation and validation through libzmq's curve and Z85 helpers.
// Secret key bytes decoded for validation are wiped before return.
#include "federation/transport/curve_keys.h"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>

#include <zmq.h>

#include "federation/transport/internal/zmq_status.h"

namespace eichub::transport {

namespace {

constexpr size_t kZ85KeyChars = 40;  // 32 bytes in Z85
constexpr size_t kKeyBytes = 32;

// Overwrites a buffer in a way the optimiser may not drop (glibc explicit_bzero).
void wipe(void* data, size_t size) { explicit_bzero(data, size); }

}  // namespace

bool isCurveKey(const std::string& z85) {
  if (z85.size() != kZ85KeyChars) return false;
  // zmq_z85_decode rejects characters outside the alphabet and 5-character groups that
  // overflow 32 bits, so a key that passes decodes to exactly the bytes libzmq will use.
  std::array<uint8_t, kKeyBytes> bytes{};
  const bool ok = zmq_z85_decode(bytes.data(), z85.c_str()) != nullptr;
  wipe(bytes.data(), bytes.size());
  return ok;
}

Result<CurveKeyPair> generateCurveKeyPair() {
  std::array<char, kZ85KeyChars + 1> public_z85{};
  std::array<char, kZ85KeyChars + 1> secret_z85{};
  if (zmq_curve_keypair(public_z85.data(), secret_z85.data()) != 0) {
    return internal::statusFromErrno(zmq_errno(), "zmq_curve_keypair");
  }
  CurveKeyPair out{std::string(public_z85.data()), std::string(secret_z85.data())};
  wipe(secret_z85.data(), secret_z85.size());
  return out;
}

Result<CurveKeyPair> curveKeyPairFromSecret(const std::string& secret_z85) {
  if (!isCurveKey(secret_z85)) {
    return Status::InvalidArgument("secret key is not a 40-character Z85 CURVE key");
  }
  std::array<char, kZ85KeyChars + 1> public_z85{};
  if (zmq_curve_public(public_z85.data(), secret_z85.c_str()) != 0) {
    return internal::statusFromErrno(zmq_errno(), "zmq_curve_public");
  }
  return CurveKeyPair{std::string(public_z85.data()), secret_z85};
}

}  // namespace eichub::transport
