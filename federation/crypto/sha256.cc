// SHA-256 through OpenSSL's EVP interface.
#include "federation/crypto/sha256.h"

#include <openssl/evp.h>

#include "federation/common/check.h"
#include "federation/crypto/openssl_ptr.h"

namespace eichub::crypto {

namespace {

// SHA-256 fetched from the default provider once. With EVP_sha256() every digest fetches it
// again (OpenSSL 3's implicit fetch): 1.6% of a daemon's CPU per update it received, at 100
// nodes. Fetched algorithms may be used from any thread.
const EVP_MD* sha256Md() {
  static const EvpMdPtr md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  EICHUB_CHECK(md != nullptr) << "EVP_MD_fetch SHA256";
  return md.get();
}

}  // namespace

Hash32 sha256(ByteView data) {
  Hash32 out{};
  unsigned int len = 0;
  EICHUB_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &len, sha256Md(), nullptr) == 1)
      << "EVP_Digest";
  return out;
}

struct Sha256::Impl {
  EvpMdCtxPtr ctx{EVP_MD_CTX_new()};
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  EICHUB_CHECK(impl_->ctx != nullptr) << "EVP_MD_CTX_new";
  EICHUB_CHECK(EVP_DigestInit_ex(impl_->ctx.get(), sha256Md(), nullptr) == 1) << "init";
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(ByteView data) {
  EICHUB_CHECK(EVP_DigestUpdate(impl_->ctx.get(), data.data(), data.size()) == 1) << "update";
}

Hash32 Sha256::finish() {
  Hash32 out{};
  unsigned int len = 0;
  EICHUB_CHECK(EVP_DigestFinal_ex(impl_->ctx.get(), out.data(), &len) == 1) << "final";
  return out;
}

}  // namespace eichub::crypto
