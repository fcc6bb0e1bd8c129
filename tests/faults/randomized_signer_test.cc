// RandomizedSigner (tests only): its signatures verify under OpenSSL, differ from OpenSSL's
// deterministic one and from each other, and a flipped bit still breaks them.
#include "tests/faults/randomized_signer.h"

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "tests/testing/temp_dir.h"

namespace eichub::testing {
namespace {

TEST(RandomizedSignerTest, SecondSignatureVerifiesAndDiffersFromTheDeterministicOne) {
  TempDir dir;
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(key->savePem(dir.file("author.pem")).ok());
  auto signer = RandomizedSigner::loadPem(dir.file("author.pem"));
  ASSERT_TRUE(signer.ok()) << signer.status().toString();
  EXPECT_EQ(signer->publicKey(), key->publicKey());

  for (const std::string& text :
       {std::string(), std::string("header bytes"), std::string(5000, 'x')}) {
    const ByteView message = asBytes(text);
    const Bytes deterministic = key->sign(message);
    const Bytes first = signer->sign(message);
    const Bytes second = signer->sign(message);
    ASSERT_EQ(first.size(), kSignatureBytes);
    EXPECT_TRUE(crypto::verifySignature(key->publicKey(), message, first).ok());
    EXPECT_TRUE(crypto::verifySignature(key->publicKey(), message, second).ok());
    EXPECT_NE(first, deterministic);
    EXPECT_NE(first, second);
    Bytes flipped = first;
    flipped[40] ^= 0x01;  // inside S
    EXPECT_FALSE(crypto::verifySignature(key->publicKey(), message, flipped).ok());
  }
}

TEST(RandomizedSignerTest, RefusesAMissingFile) {
  TempDir dir;
  EXPECT_FALSE(RandomizedSigner::loadPem(dir.file("absent.pem")).ok());
}

}  // namespace
}  // namespace eichub::testing
