// Owning pointers for the OpenSSL handles the crypto code and its tests use: each frees its
// handle with the matching OpenSSL call.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>

namespace eichub::crypto {

// A unique_ptr deleter that calls free_fn, an OpenSSL function freeing one handle.
template <auto free_fn>
struct FreeWith {
  template <typename T>
  void operator()(T* p) const noexcept {
    free_fn(p);
  }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, FreeWith<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, FreeWith<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, FreeWith<EVP_MD_CTX_free>>;
using EvpMdPtr = std::unique_ptr<EVP_MD, FreeWith<EVP_MD_free>>;
using BioPtr = std::unique_ptr<BIO, FreeWith<BIO_free>>;

}  // namespace eichub::crypto
