// Tests for SHA-256 against published vectors.
#include "federation/crypto/sha256.h"

#include <gtest/gtest.h>

namespace eichub::crypto {
namespace {

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(toHex(sha256(asBytes(""))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(toHex(sha256(asBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, IncrementalEqualsOneShot) {
  Sha256 h;
  h.update(asBytes("a"));
  h.update(asBytes("bc"));
  EXPECT_EQ(h.finish(), sha256(asBytes("abc")));
}

}  // namespace
}  // namespace eichub::crypto
