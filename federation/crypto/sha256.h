// SHA-256 through OpenSSL's EVP interface.
#pragma once

#include <memory>

#include "federation/common/bytes.h"

namespace eichub::crypto {

// One-shot hash.
Hash32 sha256(ByteView data);

// Incremental hash for data that arrives in pieces (the catalogue digest).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(ByteView data);
  // Returns the hash; the object must not be used afterwards.
  Hash32 finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eichub::crypto
