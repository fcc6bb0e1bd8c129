// The check `publish --as` makes before signing: a publish that fits the vendor's quota (updates
// or bytes) passes, one that would go past it is refused whole, naming the quota and what is
// left.
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

constexpr uint64_t kByteQuota = 1000;

trust::TrustState vendorWithByteQuota() {
  trust::Delegation delegation{
      kVendor, "Acme", {catalog::kindCode(catalog::Kind::LEARNING_RESOURCE)}, "acme/", 0, 0};
  delegation.max_bytes = kByteQuota;
  const trust::TrustRecord record = delegation;
  return trust::TrustState::derive(
      {{}, {kMember}, 1}, {trust::HeldRecord{kMember, 1, 1, trust::recordId(record), record}});
}

// n changes with bodies of body_bytes each.
std::vector<catalog::Change> changesOfBytes(size_t n, size_t body_bytes) {
  std::vector<catalog::Change> out = changes(n);
  for (catalog::Change& change : out) change.body.assign(body_bytes, 0);
  return out;
}

TEST(PublishCheckTest, APublishUpToTheByteQuotaPasses) {
  feed::Head head;
  head.seq = 2;
  head.bytes = 400;
  EXPECT_TRUE(checkPublish(vendorWithByteQuota(), kVendor, head, changesOfBytes(3, 200), 1).ok());
}

TEST(PublishCheckTest, APublishPastTheByteQuotaIsRefusedWholeNamingWhatIsLeft) {
  feed::Head head;
  head.seq = 2;
  head.bytes = 400;
  // 400 + 3 x 200 = 1000 fits; the fourth record takes the feed to 1200.
  Status refused = checkPublish(vendorWithByteQuota(), kVendor, head, changesOfBytes(4, 200), 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.code(), Status::Code::kPermissionDenied);
  const std::string text = refused.toString();
  EXPECT_NE(text.find("1 of 4 records refused"), std::string::npos) << text;
  EXPECT_NE(text.find("acme/3: over_quota"), std::string::npos) << text;
  EXPECT_NE(text.find("may hold 1000 bytes of records (--max-mb), 600 left at seq 2, these "
                      "records take 800"),
            std::string::npos)
      << text;
}

// `publish --as` also answers to this node's own byte budget: a vendor's publish that fits it
// passes, one byte past it is refused whole under local_budget.
TEST(PublishCheckTest, APublishPastThisNodesByteBudgetIsRefusedAsLocalBudget) {
  constexpr uint64_t kBudget = 1000;
  trust::TrustRecord delegation = trust::Delegation{
      kVendor, "Acme", {catalog::kindCode(catalog::Kind::LEARNING_RESOURCE)}, "acme/", 0, 0};
  trust::TrustConfig config{{}, {kMember}, 1};
  config.local_max_bytes = kBudget;
  const trust::TrustState state = trust::TrustState::derive(
      config, {trust::HeldRecord{kMember, 1, 1, trust::recordId(delegation), delegation}});
  feed::Head head;
  EXPECT_TRUE(checkPublish(state, kVendor, head, changesOfBytes(10, kBudget / 10), 1).ok());
  Status refused = checkPublish(state, kVendor, head, changesOfBytes(1, kBudget + 1), 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.toString().find("local_budget"), std::string::npos) << refused.toString();
}

}  // namespace
}  // namespace eichub::policy
