// Ed25519 keys through OpenSSL EVP: one-shot EVP_DigestSign/EVP_DigestVerify with no digest.
#include "federation/crypto/ed25519_key.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include "federation/common/check.h"
#include "federation/common/mutex.h"
#include "federation/crypto/openssl_ptr.h"

namespace eichub::crypto {

namespace {

// The text of OpenSSL's newest queued error, and clears the queue.
std::string opensslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

// The public keys this thread checked signatures of last, parsed. Parsing one
// (EVP_PKEY_new_raw_public_key: allocations and OpenSSL 3's key-management lookup) was a fifth of
// each signature check in a profile of daemons receiving updates (docs/network.md, "What an
// update costs the network"), and a node checks runs of a few authors at a time. A short list,
// most recently used first: an input naming many authors only makes it miss, and the memory is
// kCapacity keys per thread whatever it sends.
//
// Each key comes with a verification context initialised for it: the next check re-initialises
// it with no key (OpenSSL keeps the key and the fetched algorithm, and resets the rest), which
// skips the algorithm fetch a first initialisation makes. Calling EVP_DigestVerify twice without
// that re-initialisation is not allowed (OpenSSL 3.2 refuses it).
class ParsedKeyCache {
 public:
  // A context ready to check a signature by key, or null when OpenSSL refuses the key or the
  // initialisation (its error left queued).
  EVP_MD_CTX* verifier(const PublicKey& key) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&key](const Entry& entry) { return entry.key == key; });
    if (it != entries_.end()) {
      std::rotate(entries_.begin(), it, it + 1);
      EVP_MD_CTX* ctx = entries_.front().ctx.get();
      return EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, nullptr) == 1 ? ctx : nullptr;
    }
    EvpPkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!pkey || !ctx ||
        EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
      return nullptr;
    }
    if (entries_.size() == kCapacity) entries_.pop_back();
    entries_.insert(entries_.begin(), Entry{key, std::move(pkey), std::move(ctx)});
    return entries_.front().ctx.get();
  }

 private:
  static constexpr size_t kCapacity = 16;
  struct Entry {
    PublicKey key;
    EvpPkeyPtr pkey;
    EvpMdCtxPtr ctx;  // initialised with pkey (the context holds its own reference to it)
  };
  std::vector<Entry> entries_;
};

PublicKey rawPublicKey(EVP_PKEY* pkey) {
  PublicKey out{};
  size_t len = out.size();
  EICHUB_CHECK(EVP_PKEY_get_raw_public_key(pkey, out.data(), &len) == 1 && len == out.size())
      << "raw public key";
  return out;
}

// The PKCS#8 DER of an Ed25519 private key (RFC 8410 section 7): these 16 bytes, then the
// 32-byte seed. It is what savePem writes.
constexpr unsigned char kEd25519Pkcs8Prefix[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
                                                 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
constexpr long kEd25519Pkcs8Bytes = sizeof(kEd25519Pkcs8Prefix) + 32;

// The key of a PEM "PRIVATE KEY" block that holds exactly an Ed25519 PKCS#8 DER, read without
// OpenSSL 3's generic decoder: PEM_read_bio_PrivateKey builds a decoder context that tries every
// decoder of every provider, about 1 ms of each CLI command's start (docs/benchmarks.md). Null
// for any other content, which the generic decoder then reads.
EvpPkeyPtr readEd25519Pem(BIO* bio) {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  if (PEM_read_bio(bio, &name, &header, &data, &len) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  EvpPkeyPtr pkey;
  if (std::strcmp(name, "PRIVATE KEY") == 0 && header[0] == '\0' && len == kEd25519Pkcs8Bytes &&
      std::memcmp(data, kEd25519Pkcs8Prefix, sizeof(kEd25519Pkcs8Prefix)) == 0) {
    pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                            data + sizeof(kEd25519Pkcs8Prefix), 32));
  }
  OPENSSL_cleanse(data, static_cast<size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  ERR_clear_error();
  return pkey;
}

}  // namespace

// Signing contexts are kept for the next signature, as verification contexts are
// (ParsedKeyCache): a fresh EVP_DigestSignInit fetches the algorithm again, about a tenth of a
// signature. One context per thread signing at once, handed out under a mutex.
struct SigningKey::Impl {
  EvpPkeyPtr pkey;
  Mutex mu;
  std::vector<EvpMdCtxPtr> idle_signers EICHUB_GUARDED_BY(mu);  // initialised with pkey

  // A context ready to sign; returned with giveBack.
  EvpMdCtxPtr takeSigner() EICHUB_EXCLUDES(mu) {
    EvpMdCtxPtr ctx;
    {
      MutexLock lock(mu);
      if (!idle_signers.empty()) {
        ctx = std::move(idle_signers.back());
        idle_signers.pop_back();
      }
    }
    if (ctx) {
      EICHUB_CHECK(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, nullptr) == 1)
          << "EVP_DigestSignInit again: " << opensslError();
      return ctx;
    }
    ctx.reset(EVP_MD_CTX_new());
    EICHUB_CHECK(ctx && EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1)
        << "EVP_DigestSignInit: " << opensslError();
    return ctx;
  }
  void giveBack(EvpMdCtxPtr ctx) EICHUB_EXCLUDES(mu) {
    MutexLock lock(mu);
    idle_signers.push_back(std::move(ctx));
  }
};

SigningKey::SigningKey(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), public_key_(rawPublicKey(impl_->pkey.get())) {}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

Result<SigningKey> SigningKey::generate() {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return Status::IOError("Ed25519 key generation failed", opensslError());
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  return SigningKey(std::move(impl));
}

Result<SigningKey> SigningKey::loadPem(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::NotFound("no key file", path);
    return Status::IOError("cannot stat key file " + path, std::strerror(errno));
  }
  if ((st.st_mode & 077) != 0) {
    return Status::PermissionDenied("key file " + path + " can be read by others; run: chmod 600 " +
                                    path);
  }
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return Status::IOError("cannot open key file " + path, opensslError());
  EvpPkeyPtr pkey = readEd25519Pem(bio.get());
  if (!pkey) {
    if (BIO_reset(bio.get()) != 0) return Status::IOError("cannot reread key file " + path);
    pkey.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  }
  if (!pkey) return Status::InvalidArgument("not a PEM private key: " + path, opensslError());
  if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519) {
    return Status::InvalidArgument("not an Ed25519 key: " + path);
  }
  auto impl = std::make_unique<Impl>();
  impl->pkey = std::move(pkey);
  return SigningKey(std::move(impl));
}

Status SigningKey::savePem(const std::string& path) const {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists("key file exists", path);
    return Status::IOError("cannot create key file " + path, std::strerror(errno));
  }
  FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) {
    ::close(fd);
    return Status::IOError("fdopen " + path, std::strerror(errno));
  }
  BioPtr bio(BIO_new_fp(file, BIO_CLOSE));
  if (!bio) {
    std::fclose(file);
    return Status::IOError("BIO_new_fp", opensslError());
  }
  if (PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return Status::IOError("cannot write key file " + path, opensslError());
  }
  if (BIO_flush(bio.get()) != 1 || ::fsync(fd) != 0) {
    return Status::IOError("cannot flush key file " + path);
  }
  return Status::OK();
}

Bytes SigningKey::sign(ByteView message) const {
  EvpMdCtxPtr ctx = impl_->takeSigner();
  Bytes sig(kSignatureBytes);
  size_t sig_len = sig.size();
  EICHUB_CHECK(EVP_DigestSign(ctx.get(), sig.data(), &sig_len, message.data(), message.size()) ==
                   1 &&
               sig_len == kSignatureBytes)
      << "EVP_DigestSign: " << opensslError();
  impl_->giveBack(std::move(ctx));
  return sig;
}

Status verifySignature(const PublicKey& key, ByteView message, ByteView signature) {
  if (signature.size() != kSignatureBytes) {
    return Status::InvalidArgument("signature is not 64 bytes");
  }
  thread_local ParsedKeyCache parsed_keys;
  EVP_MD_CTX* ctx = parsed_keys.verifier(key);
  if (!ctx) return Status::InvalidArgument("malformed Ed25519 public key", opensslError());
  int rc =
      EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(), message.size());
  if (rc == 1) return Status::OK();
  if (rc == 0) {
    ERR_clear_error();
    return Status::PermissionDenied("bad signature");
  }
  return Status::InvalidArgument("signature check failed", opensslError());
}

bool isWeakPublicKey(const PublicKey& key) {
  // Small-order points by their y coordinate (little-endian, sign bit cleared): 0, 1, the two
  // order-8 points' y, p - 1, and p and p + 1 (non-canonical 0 and 1).
  static constexpr std::array<std::array<uint8_t, kPublicKeyBytes>, 7> kSmallOrderY = {{
      {0x00},
      {0x01},
      {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
       0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
       0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
      {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
       0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
       0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
      {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
      {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
      {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
  }};
  PublicKey y = key;
  y[kPublicKeyBytes - 1] &= 0x7f;
  return std::find(kSmallOrderY.begin(), kSmallOrderY.end(), y) != kSmallOrderY.end();
}

}  // namespace eichub::crypto
