// RandomizedSigner: Ed25519 signing with a random nonce, from OpenSSL's SHA-512, its public-key
// derivation (the scalar multiplication r.B) and BIGNUM arithmetic modulo the group order L.
#include "tests/faults/randomized_signer.h"

#include <cstdio>
#include <memory>
#include <utility>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "federation/common/check.h"
#include "federation/crypto/openssl_ptr.h"

namespace eichub::testing {

namespace {

using crypto::BioPtr;
using crypto::EvpPkeyPtr;
using crypto::FreeWith;
// Every scalar here but k is secret: always cleared.
using BnPtr = std::unique_ptr<BIGNUM, FreeWith<BN_clear_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, FreeWith<BN_CTX_free>>;

// The order of the Ed25519 base point: 2^252 + 27742317777372353535851937790883648493.
constexpr char kGroupOrderHex[] =
    "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed";

using Sha512 = std::array<uint8_t, 64>;

Sha512 sha512(ByteView data) {
  Sha512 out{};
  unsigned int len = 0;
  EICHUB_CHECK(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha512(), nullptr) == 1)
      << "SHA-512";
  return out;
}

// RFC 8032 5.1.5: the secret scalar is the first half of SHA-512(seed), clamped.
BnPtr clampedScalar(const std::array<uint8_t, 32>& seed) {
  Sha512 h = sha512(seed);
  h[0] &= 248;
  h[31] &= 127;
  h[31] |= 64;
  BnPtr scalar(BN_lebin2bn(h.data(), 32, nullptr));
  OPENSSL_cleanse(h.data(), h.size());
  EICHUB_CHECK(scalar != nullptr) << "BN_lebin2bn";
  return scalar;
}

// The public key of seed (OpenSSL computes clamp(SHA-512(seed)[0..32]).B).
PublicKey publicKeyOf(const std::array<uint8_t, 32>& seed) {
  EvpPkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  EICHUB_CHECK(pkey != nullptr) << "Ed25519 key from seed";
  PublicKey out{};
  size_t len = out.size();
  EICHUB_CHECK(EVP_PKEY_get_raw_public_key(pkey.get(), out.data(), &len) == 1 && len == out.size())
      << "raw public key";
  return out;
}

}  // namespace

Result<RandomizedSigner> RandomizedSigner::loadPem(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return Status::NotFound("cannot read key file", path);
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey || EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("not an Ed25519 private key", path);
  }
  RandomizedSigner signer;
  size_t len = signer.seed_.size();
  if (EVP_PKEY_get_raw_private_key(pkey.get(), signer.seed_.data(), &len) != 1 ||
      len != signer.seed_.size()) {
    return Status::InvalidArgument("no raw Ed25519 seed", path);
  }
  signer.public_key_ = publicKeyOf(signer.seed_);
  return signer;
}

RandomizedSigner::RandomizedSigner(RandomizedSigner&& other) noexcept
    : seed_(other.seed_), public_key_(other.public_key_) {
  OPENSSL_cleanse(other.seed_.data(), other.seed_.size());
}

RandomizedSigner::~RandomizedSigner() { OPENSSL_cleanse(seed_.data(), seed_.size()); }

Bytes RandomizedSigner::sign(ByteView message) const {
  // The nonce: a fresh seed s', r = clamp(SHA-512(s')[0..32]), R = r.B (its public key).
  std::array<uint8_t, 32> nonce_seed{};
  EICHUB_CHECK(RAND_bytes(nonce_seed.data(), nonce_seed.size()) == 1) << "RAND_bytes";
  const PublicKey big_r = publicKeyOf(nonce_seed);
  BnPtr r = clampedScalar(nonce_seed);
  OPENSSL_cleanse(nonce_seed.data(), nonce_seed.size());

  // k = SHA-512(R || A || M) mod L, read little-endian.
  Bytes transcript(big_r.begin(), big_r.end());
  transcript.insert(transcript.end(), public_key_.begin(), public_key_.end());
  transcript.insert(transcript.end(), message.begin(), message.end());
  const Sha512 k_hash = sha512(transcript);

  BnCtxPtr ctx(BN_CTX_new());
  BIGNUM* order_raw = nullptr;
  EICHUB_CHECK(ctx && BN_hex2bn(&order_raw, kGroupOrderHex) > 0) << "BN setup";
  BnPtr order(order_raw);
  BnPtr k(BN_lebin2bn(k_hash.data(), k_hash.size(), nullptr));
  BnPtr a = clampedScalar(seed_);
  BnPtr s(BN_new());
  EICHUB_CHECK(k && s && BN_nnmod(k.get(), k.get(), order.get(), ctx.get()) == 1 &&
               BN_mod_mul(s.get(), k.get(), a.get(), order.get(), ctx.get()) == 1 &&
               BN_mod_add(s.get(), s.get(), r.get(), order.get(), ctx.get()) == 1)
      << "S = r + k.a mod L";

  Bytes signature(big_r.begin(), big_r.end());
  signature.resize(64);
  EICHUB_CHECK(BN_bn2lebinpad(s.get(), signature.data() + 32, 32) == 32) << "S encoding";
  return signature;
}

}  // namespace eichub::testing
