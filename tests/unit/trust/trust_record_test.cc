// Trust records: round trips, limits at and past their bound, hostile bytes, rotation checks.
#include "federation/trust/trust_record.h"

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "tests/testing/keys.h"
#include "tests/testing/kind_codes.h"

namespace eichub::trust {
namespace {

using testing::filledKey;

TEST(TrustRecordTest, EveryVariantRoundTripsUnderItsId) {
  std::vector<TrustRecord> records = {
      Membership{filledKey(1), "Leeds Health Cluster", "UKE42"},
      Removal{filledKey(2), 17, true, "left the network"},
      Delegation{filledKey(3),
                 "Acme",
                 {testing::kLearningResourceKind, testing::kProviderKind},
                 "acme/",
                 1'830'297'600'000},
      Revocation{filledKey(4), 1200, false, "key leaked"},
      Rotation{filledKey(5), Bytes(64, 7)},
      RotationApproval{filledKey(5), filledKey(6)},
      Expiry{1'830'297'600'000},
  };
  std::vector<std::string> ids = {"member/", "remove/",  "delegate/", "revoke/",
                                  "rotate/", "approve/", "expires"};
  for (size_t i = 0; i < records.size(); ++i) {
    auto decoded = decodeRecord(encodeRecord(records[i]));
    ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
    EXPECT_EQ(decoded->index(), records[i].index());
    EXPECT_EQ(recordId(*decoded), recordId(records[i]));
    EXPECT_EQ(recordId(records[i]).substr(0, ids[i].size()), ids[i]);
    EXPECT_EQ(encodeRecord(*decoded), encodeRecord(records[i]));
  }
}

TEST(TrustRecordTest, LimitsHoldAtTheBoundAndFailPastIt) {
  Membership at{filledKey(1), std::string(kMaxNameBytes, 'n'), std::string(kMaxRegionBytes, 'r')};
  EXPECT_TRUE(decodeRecord(encodeRecord(at)).ok());
  Membership long_name = at;
  long_name.name.push_back('n');
  EXPECT_FALSE(decodeRecord(encodeRecord(long_name)).ok());
  Membership long_region = at;
  long_region.region.push_back('r');
  EXPECT_FALSE(decodeRecord(encodeRecord(long_region)).ok());

  Delegation d{filledKey(3), "Acme", {testing::kSkillKind}, std::string(kMaxPrefixBytes, 'p'), 0};
  EXPECT_TRUE(decodeRecord(encodeRecord(d)).ok());
  d.id_prefix.push_back('p');
  EXPECT_FALSE(decodeRecord(encodeRecord(d)).ok());

  Revocation r{filledKey(4), 1, false, std::string(kMaxReasonBytes + 1, 'x')};
  EXPECT_FALSE(decodeRecord(encodeRecord(r)).ok());
}

TEST(TrustRecordTest, SelfApprovalsAndNonPositiveExpiriesAreRefused) {
  EXPECT_EQ(recordId(RotationApproval{filledKey(1), filledKey(2)}),
            "approve/" + toHex(filledKey(1)) + "/" + toHex(filledKey(2)));
  EXPECT_FALSE(decodeRecord(encodeRecord(RotationApproval{filledKey(1), filledKey(1)})).ok());
  EXPECT_FALSE(decodeRecord(encodeRecord(Expiry{0})).ok());
  EXPECT_FALSE(decodeRecord(encodeRecord(Expiry{-1})).ok());
  EXPECT_TRUE(decodeRecord(encodeRecord(Expiry{1})).ok());
}

TEST(TrustRecordTest, BadDelegationScopesAreRefused) {
  Delegation none{filledKey(3), "Acme", {}, "acme/", 0};
  EXPECT_FALSE(decodeRecord(encodeRecord(none)).ok());
  Delegation trust{filledKey(3), "Acme", {feed::kTrustKind}, "", 0};
  EXPECT_FALSE(decodeRecord(encodeRecord(trust)).ok());
  Delegation unsorted{filledKey(3), "Acme", {testing::kProviderKind, testing::kSkillKind}, "", 0};
  EXPECT_FALSE(decodeRecord(encodeRecord(unsorted)).ok());
  Delegation twice{filledKey(3), "Acme", {testing::kSkillKind, testing::kSkillKind}, "", 0};
  EXPECT_FALSE(decodeRecord(encodeRecord(twice)).ok());
}

// Kinds are opaque numbers to the federation: a scope may name kinds no node names yet (a kind
// added later), and keeps them through encoding; only trust's number is never delegated.
TEST(TrustRecordTest, ADelegationScopesAnyKindNumberButTrusts) {
  Delegation later{filledKey(3), "Acme", {testing::kSkillKind, 9, 300, 65535}, "acme/", 0};
  auto decoded = decodeRecord(encodeRecord(later));
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  ASSERT_TRUE(std::holds_alternative<Delegation>(*decoded));
  EXPECT_EQ(std::get<Delegation>(*decoded).kinds, later.kinds);
}

// Issue 17, finding 10: a small-order key cannot be admitted as a member or vendor or rotated to.
TEST(TrustRecordTest, SmallOrderKeysAreRefusedAsMembersVendorsAndRotationTargets) {
  PublicKey identity{};
  identity[0] = 1;
  const PublicKey good = filledKey(3);
  for (const TrustRecord& record :
       std::vector<TrustRecord>{Membership{identity, "x", ""},
                                Delegation{identity, "Acme", {testing::kSkillKind}, "", 0},
                                Rotation{identity, Bytes(64, 0)}}) {
    auto decoded = decodeRecord(encodeRecord(record));
    ASSERT_FALSE(decoded.ok()) << recordId(record);
    EXPECT_NE(decoded.status().message().find("small order"), std::string::npos);
  }
  EXPECT_TRUE(decodeRecord(encodeRecord(Membership{good, "x", ""})).ok());
}

TEST(TrustRecordTest, HostileBytesGetAStatusNeverACrash) {
  Bytes good = encodeRecord(Membership{filledKey(1), "x", "UKE42"});
  EXPECT_FALSE(decodeRecord(Bytes(good.begin(), good.end() - 8)).ok());
  EXPECT_FALSE(decodeRecord(Bytes(7, 0)).ok());
  EXPECT_FALSE(decodeRecord(Bytes(kMaxTrustBodyBytes + 8, 0)).ok());
  for (size_t i = 0; i < good.size(); ++i) {
    Bytes flipped = good;
    flipped[i] ^= 0xff;
    (void)decodeRecord(flipped);  // any outcome but a crash
  }
}

class TrustUpdateTest : public ::testing::Test {
 protected:
  feed::VerifiedUpdate update(const crypto::SigningKey& author, const TrustRecord& record,
                              std::string id = "") {
    feed::FeedAppender appender(author, "test", feed::Head{});
    if (id.empty()) id = recordId(record);
    return appender.append(feed::Op::UPSERT, feed::kTrustKind, id, {}, encodeRecord(record), 1);
  }
  crypto::SigningKey old_ = crypto::SigningKey::generate().value();
  crypto::SigningKey new_ = crypto::SigningKey::generate().value();
};

TEST_F(TrustUpdateTest, RotationMustBeSignedByTheNewKey) {
  Bytes message = rotationMessage("test", old_.publicKey(), new_.publicKey());
  Rotation good{new_.publicKey(), new_.sign(message)};
  EXPECT_TRUE(checkTrustUpdate(update(old_, good)).ok());

  Rotation by_old{new_.publicKey(), old_.sign(message)};
  EXPECT_TRUE(checkTrustUpdate(update(old_, by_old)).code() == Status::Code::kPermissionDenied);

  Rotation other_network{new_.publicKey(),
                         new_.sign(rotationMessage("prod", old_.publicKey(), new_.publicKey()))};
  EXPECT_TRUE(checkTrustUpdate(update(old_, other_network)).code() ==
              Status::Code::kPermissionDenied);
}

TEST_F(TrustUpdateTest, IdMustNameTheBody) {
  Membership m{new_.publicKey(), "x", ""};
  EXPECT_TRUE(checkTrustUpdate(update(old_, m)).ok());
  EXPECT_FALSE(checkTrustUpdate(update(old_, m, "member/" + toHex(old_.publicKey()))).ok());
  EXPECT_FALSE(checkTrustUpdate(update(old_, m, "delegate/" + toHex(new_.publicKey()))).ok());
}

}  // namespace
}  // namespace eichub::trust
