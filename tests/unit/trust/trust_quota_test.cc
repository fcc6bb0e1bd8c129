// Quotas in memberships and delegations (maxUpdates, maxBytes): the verdict at the quota and
// one past it for vendors and members, the cut-off it makes, and records signed before quotas
// existed.
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "federation/trust/trust_record.h"
#include "federation/trust/trust_state.h"
#include "tests/testing/keys.h"
#include "tests/testing/kind_codes.h"

namespace eichub::trust {
namespace {

using eichub::testing::filledKey;

const PublicKey kRoot = filledKey(1);
const PublicKey kMember = filledKey(2);
const PublicKey kVendor = filledKey(3);
const PublicKey kDirect = filledKey(4);
const PublicKey kUnlimitedVendor = filledKey(5);
constexpr uint64_t kMemberQuota = 20;
constexpr uint64_t kVendorQuota = 5;

HeldRecord held(PublicKey author, uint64_t seq, TrustRecord record) {
  return HeldRecord{author, seq, 1, recordId(record), std::move(record)};
}

Delegation delegation(PublicKey vendor, uint64_t max_updates) {
  return Delegation{vendor, "Acme", {testing::kLearningResourceKind}, "acme/", 0, max_updates};
}

TrustState quotaState(std::vector<HeldRecord> extra = {}) {
  std::vector<HeldRecord> records = {
      held(kRoot, 1, Membership{kMember, "Leeds", "UKE42", kMemberQuota}),
      // A configured key keeps its role: a root's quota does not bind what this node trusts.
      held(kRoot, 2, Membership{kDirect, "Direct", "SE110", 1}),
      held(kMember, 1, delegation(kVendor, kVendorQuota)),
      held(kMember, 2, delegation(kUnlimitedVendor, 0)),
  };
  records.insert(records.end(), extra.begin(), extra.end());
  return TrustState::derive({{kRoot}, {kDirect}, 1}, std::move(records));
}

std::string_view verdictAt(const TrustState& state, PublicKey author, uint64_t seq,
                           feed::KindCode kind = testing::kLearningResourceKind,
                           std::string id = "acme/1") {
  feed::HeaderFields header;
  header.author = author;
  header.seq = seq;
  header.kind = kind;
  header.id = std::move(id);
  header.time_ms = 1;
  return state.verdict(header);
}

TEST(TrustQuotaTest, VendorCountsUpToItsQuotaAndNotOneMore) {
  const TrustState state = quotaState();
  EXPECT_EQ(verdictAt(state, kVendor, 1), reason::kAccepted);
  EXPECT_EQ(verdictAt(state, kVendor, kVendorQuota), reason::kAccepted);
  EXPECT_EQ(verdictAt(state, kVendor, kVendorQuota + 1), reason::kOverQuota);
  EXPECT_EQ(verdictAt(state, kVendor, kVendorQuota + 1000), reason::kOverQuota);
  // The vendor's own trust records (a rotation) count against the same feed.
  const std::string rotate = "rotate/" + toHex(filledKey(9));
  EXPECT_EQ(verdictAt(state, kVendor, kVendorQuota, feed::kTrustKind, rotate), reason::kAccepted);
  EXPECT_EQ(verdictAt(state, kVendor, kVendorQuota + 1, feed::kTrustKind, rotate),
            reason::kOverQuota);
  EXPECT_EQ(state.lastAcceptedSeq(kVendor), kVendorQuota);
  EXPECT_EQ(state.find(kVendor)->max_updates, kVendorQuota);
  // 0 is no limit.
  EXPECT_EQ(verdictAt(state, kUnlimitedVendor, 1'000'000), reason::kAccepted);
  EXPECT_EQ(state.lastAcceptedSeq(kUnlimitedVendor), kNoCutoff);
}

TEST(TrustQuotaTest, MemberCountsUpToItsQuotaAndNotOneMore) {
  const TrustState state = quotaState();
  EXPECT_EQ(verdictAt(state, kMember, kMemberQuota, testing::kSkillKind, "s"), reason::kAccepted);
  EXPECT_EQ(verdictAt(state, kMember, kMemberQuota + 1, testing::kSkillKind, "s"),
            reason::kOverQuota);
  EXPECT_EQ(state.lastAcceptedSeq(kMember), kMemberQuota);
  // A configured key admitted with a quota keeps its own role, unlimited.
  EXPECT_EQ(verdictAt(state, kDirect, 2, testing::kSkillKind, "s"), reason::kAccepted);
  EXPECT_EQ(state.lastAcceptedSeq(kDirect), kNoCutoff);
}

TEST(TrustQuotaTest, AMembersDelegationPastItsQuotaAdmitsNobody) {
  const PublicKey late_vendor = filledKey(6);
  const TrustState state =
      quotaState({held(kMember, kMemberQuota + 1, delegation(late_vendor, 0))});
  EXPECT_EQ(state.find(late_vendor), nullptr);
  EXPECT_EQ(verdictAt(state, late_vendor, 1), reason::kUnknownAuthor);
}

TEST(TrustQuotaTest, TheEarlierOfCutOffAndQuotaEndsTheFeed) {
  const TrustState revoked_early =
      quotaState({held(kMember, 3, Revocation{kVendor, 2, false, "leaked"})});
  EXPECT_EQ(revoked_early.lastAcceptedSeq(kVendor), 2u);
  EXPECT_EQ(verdictAt(revoked_early, kVendor, 3), reason::kAfterCutoff);
  const TrustState revoked_late =
      quotaState({held(kMember, 3, Revocation{kVendor, 100, false, "late"})});
  EXPECT_EQ(revoked_late.lastAcceptedSeq(kVendor), kVendorQuota);
  EXPECT_EQ(verdictAt(revoked_late, kVendor, kVendorQuota + 1), reason::kOverQuota);
}

// The node-local limit binds members and vendors, at the limit and one past it, under its own
// reason; the signed quota, when lower, still ends the feed first; configured keys are free.
TEST(TrustQuotaTest, ALocalLimitBindsMembersAndVendorsOnThisNodeOnly) {
  constexpr uint64_t kLocal = 8;
  const TrustState state =
      TrustState::derive({{kRoot}, {kDirect}, 1, kLocal},
                         {held(kRoot, 1, Membership{kMember, "Leeds", "UKE42", kMemberQuota}),
                          held(kMember, 1, delegation(kVendor, kVendorQuota)),
                          held(kMember, 2, delegation(kUnlimitedVendor, 0))});
  EXPECT_EQ(verdictAt(state, kMember, kLocal, testing::kSkillKind, "s"), reason::kAccepted);
  EXPECT_EQ(verdictAt(state, kMember, kLocal + 1, testing::kSkillKind, "s"),
            reason::kOverLocalQuota);
  EXPECT_EQ(state.lastAcceptedSeq(kMember), kLocal);
  EXPECT_EQ(verdictAt(state, kUnlimitedVendor, kLocal), reason::kAccepted);
  EXPECT_EQ(verdictAt(state, kUnlimitedVendor, kLocal + 1), reason::kOverLocalQuota);
  EXPECT_EQ(verdictAt(state, kVendor, kVendorQuota + 1), reason::kOverQuota);
  EXPECT_EQ(state.lastAcceptedSeq(kVendor), kVendorQuota);
  EXPECT_EQ(verdictAt(state, kRoot, kLocal + 1, testing::kSkillKind, "s"), reason::kAccepted);
  EXPECT_EQ(verdictAt(state, kDirect, kLocal + 1, testing::kSkillKind, "s"), reason::kAccepted);
}

TEST(TrustQuotaTest, QuotasRoundTripInTheirRecords) {
  Delegation bytes_only = delegation(filledKey(8), 0);
  bytes_only.max_bytes = 137ull << 20;
  for (const TrustRecord& record :
       {TrustRecord{Membership{filledKey(7), "Leeds", "UKE42", 21'000}},
        TrustRecord{Membership{filledKey(7), "Leeds", "UKE42", 0, UINT64_MAX}},
        TrustRecord{delegation(filledKey(8), UINT64_MAX)}, TrustRecord{delegation(filledKey(8), 0)},
        TrustRecord{bytes_only}}) {
    auto decoded = decodeRecord(encodeRecord(record));
    ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
    EXPECT_EQ(encodeRecord(*decoded), encodeRecord(record));
  }
  auto member = decodeRecord(encodeRecord(Membership{filledKey(7), "Leeds", "UKE42", 21'000}));
  ASSERT_TRUE(member.ok());
  EXPECT_EQ(std::get<Membership>(*member).max_updates, 21'000u);
  auto vendor = decodeRecord(encodeRecord(delegation(filledKey(8), UINT64_MAX)));
  ASSERT_TRUE(vendor.ok());
  EXPECT_EQ(std::get<Delegation>(*vendor).max_updates, UINT64_MAX);
  auto bytes_vendor = decodeRecord(encodeRecord(bytes_only));
  ASSERT_TRUE(bytes_vendor.ok());
  EXPECT_EQ(std::get<Delegation>(*bytes_vendor).max_bytes, 137ull << 20);
  EXPECT_EQ(std::get<Delegation>(*bytes_vendor).max_updates, 0u);
}

// The byte quota (maxBytes) judges the feed's bodySize summed from seq 1: at the quota an update
// counts, one byte past it it is over_quota, for vendors and members alike.
TEST(TrustQuotaTest, ByteQuotaCountsUpToItsBytesAndNotOneMore) {
  constexpr uint64_t kVendorBytes = 1 << 20;
  constexpr uint64_t kMemberBytes = 3 << 20;
  Delegation limited = delegation(kVendor, 0);
  limited.max_bytes = kVendorBytes;
  const TrustState state = TrustState::derive(
      {{kRoot}, {kDirect}, 1},
      {held(kRoot, 1, Membership{kMember, "Leeds", "UKE42", 0, kMemberBytes}),
       held(kRoot, 2, Membership{kDirect, "Direct", "SE110", 0, 1}), held(kMember, 1, limited),
       held(kMember, 2, delegation(kUnlimitedVendor, 0))});
  EXPECT_EQ(state.find(kVendor)->max_bytes, kVendorBytes);
  EXPECT_EQ(state.byteVerdict(kVendor, 0), reason::kAccepted);
  EXPECT_EQ(state.byteVerdict(kVendor, kVendorBytes), reason::kAccepted);
  EXPECT_EQ(state.byteVerdict(kVendor, kVendorBytes + 1), reason::kOverQuota);
  EXPECT_EQ(state.byteVerdict(kMember, kMemberBytes), reason::kAccepted);
  EXPECT_EQ(state.byteVerdict(kMember, kMemberBytes + 1), reason::kOverQuota);
  // No byte quota, a configured key (whatever a root signs for it), an unknown key: no limit.
  EXPECT_EQ(state.byteVerdict(kUnlimitedVendor, UINT64_MAX), reason::kAccepted);
  EXPECT_EQ(state.byteVerdict(kDirect, UINT64_MAX), reason::kAccepted);
  EXPECT_EQ(state.byteVerdict(filledKey(9), UINT64_MAX), reason::kAccepted);
  // The update quota is judged apart: a byte quota alone never cuts by seq.
  EXPECT_EQ(verdictAt(state, kVendor, 1'000'000), reason::kAccepted);
  EXPECT_EQ(state.lastAcceptedSeq(kVendor), kNoCutoff);
}

// The node-local byte budget binds every author's feed at the budget and one byte past it,
// under its own reason, except this node's own keys; a lower signed byte quota still ends the
// feed first, as over_quota.
TEST(TrustQuotaTest, ALocalByteBudgetBindsEveryAuthorButThisNodesOwn) {
  constexpr uint64_t kBudget = 4 << 20;
  constexpr uint64_t kVendorBytes = 1 << 20;
  const PublicKey own = filledKey(7);
  Delegation limited = delegation(kVendor, 0);
  limited.max_bytes = kVendorBytes;
  TrustConfig config{{kRoot}, {kDirect, own}, 1};
  config.local_max_bytes = kBudget;
  config.own = {own};
  const TrustState state = TrustState::derive(
      config, {held(kRoot, 1, Membership{kMember, "Leeds", "UKE42"}), held(kMember, 1, limited),
               held(kMember, 2, delegation(kUnlimitedVendor, 0))});
  for (const PublicKey& author : {kRoot, kDirect, kMember, kUnlimitedVendor}) {
    EXPECT_EQ(state.byteVerdict(author, kBudget), reason::kAccepted);
    EXPECT_EQ(state.byteVerdict(author, kBudget + 1), reason::kLocalBudget);
  }
  EXPECT_EQ(state.byteVerdict(own, UINT64_MAX), reason::kAccepted);
  EXPECT_EQ(state.byteVerdict(kVendor, kVendorBytes + 1), reason::kOverQuota);
  EXPECT_EQ(state.byteVerdict(kVendor, kBudget + 1), reason::kOverQuota);
  // A byte budget never cuts by seq: lastAcceptedSeq stays open.
  EXPECT_EQ(state.lastAcceptedSeq(kUnlimitedVendor), kNoCutoff);
  // Off (0): no limit.
  const TrustState off = TrustState::derive({{kRoot}, {kDirect}, 1}, {});
  EXPECT_EQ(off.byteVerdict(kDirect, UINT64_MAX), reason::kAccepted);
}

TEST(TrustQuotaTest, ARotatedKeyInheritsTheByteQuota) {
  Delegation limited = delegation(kVendor, 0);
  limited.max_bytes = 1000;
  const PublicKey successor = filledKey(6);
  Rotation rotation{successor, Bytes(kSignatureBytes, 1)};
  const TrustState state =
      TrustState::derive({{kRoot}, {}, 1}, {held(kRoot, 1, Membership{kMember, "Leeds", "UKE42"}),
                                            held(kMember, 1, limited), held(kVendor, 3, rotation)});
  ASSERT_NE(state.find(successor), nullptr);
  EXPECT_EQ(state.byteVerdict(successor, 1000), reason::kAccepted);
  EXPECT_EQ(state.byteVerdict(successor, 1001), reason::kOverQuota);
}

Bytes corpusFile(const std::string& name) {
  std::ifstream in(std::string(EICHUB_SOURCE_DIR) + "/tests/fuzz/corpus/trust_record/" + name,
                   std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The corpus records were signed before quotas existed: they decode as unlimited, and encode
// back to the same bytes (one record, one update id, before and after the schema grew).
TEST(TrustQuotaTest, RecordsFromBeforeQuotasDecodeAsUnlimited) {
  const Bytes old_membership = corpusFile("valid_membership");
  const Bytes old_delegation = corpusFile("valid_delegation");
  ASSERT_FALSE(old_membership.empty());
  ASSERT_FALSE(old_delegation.empty());
  auto membership = decodeRecord(old_membership);
  ASSERT_TRUE(membership.ok()) << membership.status().toString();
  EXPECT_EQ(std::get<Membership>(*membership).max_updates, 0u);
  EXPECT_EQ(std::get<Membership>(*membership).max_bytes, 0u);
  EXPECT_EQ(encodeRecord(*membership), old_membership);
  auto vendor = decodeRecord(old_delegation);
  ASSERT_TRUE(vendor.ok()) << vendor.status().toString();
  EXPECT_EQ(std::get<Delegation>(*vendor).max_updates, 0u);
  EXPECT_EQ(std::get<Delegation>(*vendor).max_bytes, 0u);
  EXPECT_EQ(encodeRecord(*vendor), old_delegation);
}

}  // namespace
}  // namespace eichub::trust
