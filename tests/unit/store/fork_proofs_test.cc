// Fork proofs as the meta table keeps them: a proof round-trips, its seq is read back, and a
// damaged value freezes the whole feed (seq 1) rather than part of it.
#include "node/store/fork_proofs.h"

#include <gtest/gtest.h>

#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

TEST(ForkProofsTest, AKeptProofRoundTripsAndNamesItsSeq) {
  testing::TestFeed feed;
  feed.skill("s1", {{"en", "one"}});
  const feed::VerifiedUpdate second = feed.skill("s2", {{"en", "two"}});
  wire::ForkProof proof{second.signed_update, second.signed_update};
  proof.second.signature[0] ^= 1;
  const std::string value = encodeForkProof(proof);
  auto back = decodeForkProof(value);
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(back->first.header, proof.first.header);
  EXPECT_EQ(back->second.signature, proof.second.signature);
  EXPECT_EQ(forkSeq(value), 2u);
  EXPECT_EQ(forkMetaKey(feed.author()), "fork:" + toHex(feed.author()));
}

TEST(ForkProofsTest, ADamagedValueFreezesTheWholeFeed) {
  for (const std::string& value : {std::string("zz"), std::string("00ff"), std::string()}) {
    EXPECT_EQ(decodeForkProof(value).status().code(), Status::Code::kCorruption) << value;
    EXPECT_EQ(forkSeq(value), 1u) << value;
  }
}

}  // namespace
}  // namespace eichub::store
