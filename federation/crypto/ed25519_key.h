// Ed25519 identity keys, signing and verification through OpenSSL's EVP one-shot API.
#pragma once

#include <memory>
#include <string>

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub::crypto {

// A private Ed25519 key. Move-only; the key material lives inside OpenSSL and is freed (and
// wiped by OpenSSL) with the object. Thread-safe for concurrent sign() calls.
class SigningKey {
 public:
  static Result<SigningKey> generate();
  // Loads a PKCS#8 PEM private key. Errors: NotFound; PermissionDenied if the file can be read
  // by group or others (it must be mode 0600 or stricter); InvalidArgument if it is not an
  // Ed25519 key.
  static Result<SigningKey> loadPem(const std::string& path);
  // Writes the key as PKCS#8 PEM to a new file with mode 0600. Errors: AlreadyExists, IOError.
  Status savePem(const std::string& path) const;

  SigningKey(SigningKey&&) noexcept;
  SigningKey& operator=(SigningKey&&) noexcept;
  ~SigningKey();

  const PublicKey& publicKey() const { return public_key_; }
  // A 64-byte signature over message.
  Bytes sign(ByteView message) const;

 private:
  struct Impl;
  explicit SigningKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  PublicKey public_key_{};
};

// Verifies an Ed25519 signature. OK only when OpenSSL says 1; PermissionDenied("bad signature")
// when it says 0; InvalidArgument for a malformed key or signature length.
Status verifySignature(const PublicKey& key, ByteView message, ByteView signature);

// True for a public key of small order (the identity, or a point of order 2, 4 or 8), in any of
// its encodings (either sign bit; y written as y + p where that fits). Signatures under such a
// key can be made without any secret (with the identity, R = identity and S = 0 verify for every
// message), so trust records refuse them as members, vendors and rotation targets. The list is
// the one the Ed25519 literature and libsodium's small-order check use.
bool isWeakPublicKey(const PublicKey& key);

}  // namespace eichub::crypto
