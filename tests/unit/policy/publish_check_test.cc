// The check `publish --as` makes before signing: a publish that fits the vendor's quota passes,
// one that would go past it is refused whole, naming the quota and what is left.
#include "node/policy/publish_check.h"

#include <gtest/gtest.h>

#include "tests/testing/keys.h"

namespace eichub::policy {
namespace {

using eichub::testing::filledKey;

const PublicKey kMember = filledKey(1);
const PublicKey kVendor = filledKey(2);
constexpr uint64_t kQuota = 10;

trust::TrustState vendorWithQuota() {
  trust::TrustRecord delegation = trust::Delegation{
      kVendor, "Acme", {catalog::kindCode(catalog::Kind::LEARNING_RESOURCE)}, "acme/", 0, kQuota};
  return trust::TrustState::derive(
      {{}, {kMember}, 1},
      {trust::HeldRecord{kMember, 1, 1, trust::recordId(delegation), delegation}});
}

std::vector<catalog::Change> changes(size_t n) {
  std::vector<catalog::Change> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].kind = catalog::Kind::LEARNING_RESOURCE;
    out[i].id = "acme/" + std::to_string(i);
  }
  return out;
}

TEST(PublishCheckTest, APublishUpToTheQuotaPasses) {
  feed::Head head;
  head.seq = 4;
  EXPECT_TRUE(checkPublish(vendorWithQuota(), kVendor, head, changes(kQuota - 4), 1).ok());
}

TEST(PublishCheckTest, APublishPastTheQuotaIsRefusedWholeNamingWhatIsLeft) {
  feed::Head head;
  head.seq = 4;
  Status refused = checkPublish(vendorWithQuota(), kVendor, head, changes(kQuota - 4 + 1), 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), Status::Code::kPermissionDenied);
  const std::string text = refused.toString();
  EXPECT_NE(text.find("1 of 7 records refused"), std::string::npos) << text;
  EXPECT_NE(text.find("over_quota"), std::string::npos) << text;
  EXPECT_NE(text.find("may count 10 updates"), std::string::npos) << text;
  EXPECT_NE(text.find("6 left at seq 4"), std::string::npos) << text;
}

TEST(PublishCheckTest, AFeedAtItsQuotaTakesNothingMore) {
  feed::Head head;
  head.seq = kQuota;
  Status refused = checkPublish(vendorWithQuota(), kVendor, head, changes(1), 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.toString().find("0 left at seq 10"), std::string::npos) << refused.toString();
}

}  // namespace
}  // namespace eichub::policy
