// RandomizedSigner (tests only, never in the product): Ed25519 signatures with a random nonce,
// so that one message gets a second valid signature (docs/reliability.md case 5). OpenSSL signs
// deterministically (RFC 8032: the nonce is a hash of the key and the message).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub::testing {

class RandomizedSigner {
 public:
  // Reads the 32-byte seed of the PKCS#8 PEM Ed25519 key at path (as SigningKey::savePem
  // writes it). Errors: NotFound, InvalidArgument when it is not an Ed25519 key.
  static Result<RandomizedSigner> loadPem(const std::string& path);
  RandomizedSigner(const RandomizedSigner&) = delete;
  RandomizedSigner& operator=(const RandomizedSigner&) = delete;
  RandomizedSigner(RandomizedSigner&& other) noexcept;
  RandomizedSigner& operator=(RandomizedSigner&&) = delete;
  ~RandomizedSigner();  // wipes the seed

  const PublicKey& publicKey() const { return public_key_; }
  // R || S with a fresh random nonce r: R = r.B, S = (r + SHA-512(R || A || message).a) mod L,
  // where a is the clamped first half of SHA-512(seed). Valid under RFC 8032 verification, and
  // a different signature at each call.
  Bytes sign(ByteView message) const;

 private:
  RandomizedSigner() = default;

  std::array<uint8_t, 32> seed_{};
  PublicKey public_key_{};
};

}  // namespace eichub::testing
