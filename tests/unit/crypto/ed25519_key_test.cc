// Tests for Ed25519 keys: sign, verify, flipped bits, PEM files and their modes.
#include "federation/crypto/ed25519_key.h"

#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/testing/temp_dir.h"

namespace eichub::crypto {
namespace {

TEST(Ed25519Test, SignAndVerify) {
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  Bytes msg{1, 2, 3, 4};
  Bytes sig = key->sign(msg);
  ASSERT_EQ(sig.size(), kSignatureBytes);
  EXPECT_TRUE(verifySignature(key->publicKey(), msg, sig).ok());
}

TEST(Ed25519Test, FlippedBitInMessageOrSignatureFails) {
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  Bytes msg(100, 7);
  Bytes sig = key->sign(msg);
  for (size_t bit : {0u, 333u, 799u}) {
    Bytes bad = msg;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    Status s = verifySignature(key->publicKey(), bad, sig);
    EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << bit;
  }
  Bytes bad_sig = sig;
  bad_sig[10] ^= 0x01;
  EXPECT_FALSE(verifySignature(key->publicKey(), msg, bad_sig).ok());
  EXPECT_EQ(verifySignature(key->publicKey(), msg, ByteView(sig).first(63)).code(),
            Status::Code::kInvalidArgument);
}

TEST(Ed25519Test, OtherKeyFails) {
  auto a = SigningKey::generate();
  auto b = SigningKey::generate();
  ASSERT_TRUE(a.ok() && b.ok());
  Bytes msg{9};
  EXPECT_FALSE(verifySignature(b->publicKey(), msg, a->sign(msg)).ok());
}

// verifySignature keeps the keys it parsed last per thread: with more authors than it keeps,
// interleaved, on two threads at once, each signature still checks against its own key only.
TEST(Ed25519Test, ManyAuthorsInterleavedCheckAgainstTheirOwnKeysOnly) {
  constexpr size_t kAuthors = 40;
  std::vector<SigningKey> keys;
  std::vector<Bytes> messages;
  std::vector<Bytes> signatures;
  for (size_t i = 0; i < kAuthors; ++i) {
    auto key = SigningKey::generate();
    ASSERT_TRUE(key.ok());
    messages.push_back(Bytes(64, static_cast<uint8_t>(i)));
    signatures.push_back(key->sign(messages.back()));
    keys.push_back(std::move(*key));
  }
  auto check = [&](size_t stride, int& failures) {
    for (size_t pass = 0; pass < 3; ++pass) {
      for (size_t n = 0; n < kAuthors; ++n) {
        const size_t i = (n * stride + pass) % kAuthors;
        const size_t other = (i + 1) % kAuthors;  // parsed a moment ago, or about to be
        if (!verifySignature(keys[i].publicKey(), messages[i], signatures[i]).ok()) ++failures;
        if (verifySignature(keys[other].publicKey(), messages[i], signatures[i]).code() !=
            Status::Code::kPermissionDenied) {
          ++failures;
        }
      }
    }
  };
  int failures_a = 0;
  int failures_b = 0;
  std::thread other_thread([&] { check(7, failures_b); });
  check(1, failures_a);
  other_thread.join();
  EXPECT_EQ(failures_a, 0);
  EXPECT_EQ(failures_b, 0);
}

// Signing contexts are kept and initialised again for each signature: what one signed must not
// depend on what it signed before, on which thread, or on how many threads sign at once.
// Ed25519 is deterministic, so a key loaded afresh from the same file must sign the same bytes.
TEST(Ed25519Test, KeptSigningContextsSignAsFreshOnesFromManyThreads) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/key.pem";
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->savePem(path).ok());
  std::vector<Bytes> messages;
  for (size_t i = 0; i < 24; ++i) messages.push_back(Bytes(i * 11, static_cast<uint8_t>(i)));
  std::vector<Bytes> expected;
  for (const Bytes& message : messages) {
    auto fresh = SigningKey::loadPem(path);  // a key object with no context yet
    ASSERT_TRUE(fresh.ok());
    expected.push_back(fresh->sign(message));
    ASSERT_TRUE(verifySignature(key->publicKey(), message, expected.back()).ok());
  }
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int pass = 0; pass < 3; ++pass) {
        for (size_t n = 0; n < messages.size(); ++n) {
          const size_t i = (n * (t + 1) + pass) % messages.size();
          if (key->sign(messages[i]) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(kThreads, 0));
}

TEST(Ed25519Test, ACheckAfterABadSignatureJudgesTheNextOneAfresh) {
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  const Bytes message{5, 6, 7};
  const Bytes good = key->sign(message);
  Bytes bad = good;
  bad[10] ^= 1;
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(verifySignature(key->publicKey(), message, good).ok());
    EXPECT_EQ(verifySignature(key->publicKey(), message, bad).code(),
              Status::Code::kPermissionDenied);
    EXPECT_EQ(verifySignature(key->publicKey(), Bytes{5, 6}, good).code(),
              Status::Code::kPermissionDenied);
  }
}

TEST(Ed25519Test, PemRoundTripWithMode0600) {
  testing::TempDir dir;
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  std::string path = dir.file("node.key");
  ASSERT_TRUE(key->savePem(path).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = SigningKey::loadPem(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ(loaded->publicKey(), key->publicKey());
  EXPECT_EQ(key->savePem(path).code(), Status::Code::kAlreadyExists);
}

TEST(Ed25519Test, LoadRefusesReadableKeyMissingFileAndGarbage) {
  testing::TempDir dir;
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  std::string path = dir.file("node.key");
  ASSERT_TRUE(key->savePem(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_EQ(SigningKey::loadPem(path).status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(SigningKey::loadPem(dir.file("missing")).status().code(), Status::Code::kNotFound);
  std::string junk = dir.file("junk.key");
  FILE* f = std::fopen(junk.c_str(), "w");
  std::fputs("not a key\n", f);
  std::fclose(f);
  ASSERT_EQ(::chmod(junk.c_str(), 0600), 0);
  EXPECT_EQ(SigningKey::loadPem(junk).status().code(), Status::Code::kInvalidArgument);
}

// Small-order keys: every encoding is caught, a real key is not, and the reason they are
// refused: under the identity key, R = identity and S = 0 is a valid signature of anything.
TEST(Ed25519Test, SmallOrderKeysAreWeak) {
  PublicKey identity{};
  identity[0] = 1;
  EXPECT_TRUE(isWeakPublicKey(identity));
  PublicKey with_sign = identity;
  with_sign[31] = 0x80;
  EXPECT_TRUE(isWeakPublicKey(with_sign));
  EXPECT_TRUE(isWeakPublicKey(PublicKey{}));
  auto order8 = fixedFromHex<kPublicKeyBytes>(
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  ASSERT_TRUE(order8.has_value());
  EXPECT_TRUE(isWeakPublicKey(*order8));
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(isWeakPublicKey(key->publicKey()));

  Bytes forged(64, 0);
  forged[0] = 1;  // R = the identity point's encoding, S = 0
  EXPECT_TRUE(verifySignature(identity, asBytes("anything at all"), forged).ok());
}

TEST(Ed25519Test, LoadReadsOtherPemLayoutsThroughTheGenericDecoder) {
  // Another block before the key: not the layout savePem writes, so the fast path declines.
  testing::TempDir dir;
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  const std::string saved = dir.file("saved.key");
  ASSERT_TRUE(key->savePem(saved).ok());
  std::ifstream in(saved);
  const std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = dir.file("node.key");
  std::ofstream(path) << "-----BEGIN NOTE-----\nbm90IGEga2V5\n-----END NOTE-----\n" << pem;
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto loaded = SigningKey::loadPem(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ(loaded->publicKey(), key->publicKey());
  Bytes msg{1, 2, 3};
  EXPECT_TRUE(verifySignature(key->publicKey(), msg, loaded->sign(msg)).ok());
}

}  // namespace
}  // namespace eichub::crypto
