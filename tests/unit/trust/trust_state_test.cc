// TrustState: the verdict as a table over one network (root, members, vendors), then the
// properties derivation must have: order independence, chains through removed or unknown
// authors, rotation, and the rotation chain bound.
#include "federation/trust/trust_state.h"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "tests/testing/keys.h"
#include "tests/testing/kind_codes.h"

namespace eichub::trust {
namespace {

using eichub::testing::filledKey;

const PublicKey kRoot = filledKey(1);
const PublicKey kMember = filledKey(2);
const PublicKey kOtherMember = filledKey(3);
const PublicKey kDirect = filledKey(4);
const PublicKey kVendor = filledKey(5);
const PublicKey kStranger = filledKey(6);
const PublicKey kRemoved = filledKey(7);
const PublicKey kDropped = filledKey(8);
const PublicKey kLateVendor = filledKey(9);
const PublicKey kStrangersVendor = filledKey(10);
const PublicKey kRotatedMember = filledKey(11);
const PublicKey kNewMemberKey = filledKey(12);
constexpr int64_t kExpiry = 1'000'000;

HeldRecord held(PublicKey author, uint64_t seq, TrustRecord record, int64_t time_ms = 1) {
  return HeldRecord{author, seq, time_ms, recordId(record), std::move(record)};
}

Delegation acme(PublicKey vendor) {
  return Delegation{
      vendor, "Acme", {testing::kLearningResourceKind, testing::kProviderKind}, "acme/", kExpiry};
}

std::vector<HeldRecord> network() {
  return {
      held(kRoot, 1, Membership{kMember, "Leeds", "UKE42"}),
      held(kRoot, 2, Membership{kOtherMember, "Bremen", "DE501"}),
      held(kRoot, 3, Membership{kRemoved, "Gone", ""}),
      held(kRoot, 4, Membership{kDropped, "Dropped", ""}),
      held(kRoot, 5, Removal{kRemoved, 10, false, "left the network"}),
      held(kRoot, 6, Removal{kDropped, 10, true, "spam"}),
      held(kRoot, 7, Membership{kRotatedMember, "Oslo", "NO081"}),
      held(kRoot, 8, Membership{kDirect, "Direct", "SE110"}),
      held(kMember, 1, acme(kVendor)),
      held(kMember, 2, Revocation{kVendor, 100, false, "key leaked"}),
      // A delegation written after its author's cut-off does not count.
      held(kRemoved, 11, acme(kLateVendor)),
      // Nor does one by a key nobody admitted.
      held(kStranger, 1, acme(kStrangersVendor)),
      // A member revoking a vendor it did not delegate changes nothing.
      held(kOtherMember, 1, Revocation{kVendor, 1, false, "not mine"}),
      // A member cannot remove the root's members.
      held(kMember, 3, Removal{kOtherMember, 0, true, "not allowed"}),
      held(kRotatedMember, 3, Rotation{kNewMemberKey, Bytes(64, 0)}),
  };
}

TrustState networkState() { return TrustState::derive({{kRoot}, {kDirect}}, network()); }

struct Case {
  const char* name;
  PublicKey author;
  uint64_t seq;
  feed::KindCode kind;
  std::string id;
  int64_t time_ms;
  std::string_view expected;
};

TEST(TrustStateTest, VerdictTable) {
  const TrustState state = networkState();
  const std::string vendor_hex = toHex(kVendor);
  const Case cases[] = {
      {"root writes anything", kRoot, 9, testing::kSkillKind, "s", 1, reason::kAccepted},
      {"member writes records", kMember, 9, testing::kSkillNeedKind, "n", 1, reason::kAccepted},
      {"direct key writes records", kDirect, 9, testing::kSkillKind, "s", 1, reason::kAccepted},
      {"unknown key", kStranger, 1, testing::kSkillKind, "s", 1, reason::kUnknownAuthor},
      {"vendor in scope", kVendor, 1, testing::kLearningResourceKind, "acme/1", 5,
       reason::kAccepted},
      {"vendor provider", kVendor, 2, testing::kProviderKind, "acme/p", 5, reason::kAccepted},
      {"vendor other kind", kVendor, 2, testing::kSkillKind, "acme/1", 5, reason::kOutOfScopeKind},
      {"vendor other prefix", kVendor, 2, testing::kLearningResourceKind, "beta/1", 5,
       reason::kOutOfScopePrefix},
      {"vendor prefix is a prefix", kVendor, 2, testing::kLearningResourceKind, "acme", 5,
       reason::kOutOfScopePrefix},
      {"vendor at expiry", kVendor, 2, testing::kLearningResourceKind, "acme/1", kExpiry,
       reason::kAccepted},
      {"vendor after expiry", kVendor, 2, testing::kLearningResourceKind, "acme/1", kExpiry + 1,
       reason::kExpired},
      {"vendor at cut-off", kVendor, 100, testing::kLearningResourceKind, "acme/1", 5,
       reason::kAccepted},
      {"vendor after cut-off", kVendor, 101, testing::kLearningResourceKind, "acme/1", 5,
       reason::kAfterCutoff},
      {"vendor delegates", kVendor, 3, feed::kTrustKind, "delegate/" + vendor_hex, 5,
       reason::kNotAuthorized},
      {"vendor rotates", kVendor, 3, feed::kTrustKind, "rotate/" + vendor_hex, 5,
       reason::kAccepted},
      {"member admits members", kMember, 9, feed::kTrustKind, "member/" + vendor_hex, 1,
       reason::kNotAuthorized},
      {"member delegates", kMember, 9, feed::kTrustKind, "delegate/" + vendor_hex, 1,
       reason::kAccepted},
      {"root admits members", kRoot, 9, feed::kTrustKind, "member/" + vendor_hex, 1,
       reason::kAccepted},
      {"unknown trust id", kRoot, 9, feed::kTrustKind, "grant/" + vendor_hex, 1,
       reason::kNotAuthorized},
      {"removed member before cut-off", kRemoved, 10, testing::kSkillKind, "s", 1,
       reason::kAccepted},
      {"removed member after cut-off", kRemoved, 11, testing::kSkillKind, "s", 1,
       reason::kAfterCutoff},
      {"dropped member", kDropped, 1, testing::kSkillKind, "s", 1, reason::kDropped},
      {"delegation after the delegator's cut-off", kLateVendor, 1, testing::kLearningResourceKind,
       "acme/1", 1, reason::kUnknownAuthor},
      {"delegation by a stranger", kStrangersVendor, 1, testing::kLearningResourceKind, "acme/1", 1,
       reason::kUnknownAuthor},
      {"old key up to its rotation", kRotatedMember, 3, testing::kSkillKind, "s", 1,
       reason::kAccepted},
      {"old key after its rotation", kRotatedMember, 4, testing::kSkillKind, "s", 1,
       reason::kAfterCutoff},
      {"new key continues", kNewMemberKey, 1, testing::kSkillKind, "s", 1, reason::kAccepted},
      {"member not removed by a member", kOtherMember, 5, testing::kSkillKind, "s", 1,
       reason::kAccepted},
  };
  for (const Case& c : cases) {
    feed::HeaderFields header;
    header.author = c.author;
    header.seq = c.seq;
    header.kind = c.kind;
    header.id = c.id;
    header.time_ms = c.time_ms;
    EXPECT_EQ(state.verdict(header), c.expected) << c.name;
  }
}

TEST(TrustStateTest, RolesAndCutsAreReported) {
  const TrustState state = networkState();
  ASSERT_NE(state.find(kVendor), nullptr);
  EXPECT_EQ(state.find(kVendor)->role, Role::kVendor);
  EXPECT_EQ(state.find(kVendor)->granted_by, kMember);
  EXPECT_EQ(state.find(kNewMemberKey)->role, Role::kMember);
  EXPECT_EQ(state.find(kNewMemberKey)->rotated_from, kRotatedMember);
  EXPECT_EQ(state.cuts().at(kRotatedMember).cause, CutCause::kRotated);
  EXPECT_EQ(state.cuts().at(kVendor).cutoff_seq, 100u);
  EXPECT_EQ(state.lastAcceptedSeq(kDropped), 0u);
  EXPECT_EQ(state.lastAcceptedSeq(kRemoved), 10u);
  EXPECT_EQ(state.lastAcceptedSeq(kMember), kNoCutoff);
  EXPECT_EQ(state.lastAcceptedSeq(kStranger), 0u);
  EXPECT_EQ(state.cuts().count(kOtherMember), 0u);
  // A configured key keeps its role; its membership is kept for the record.
  EXPECT_EQ(state.find(kDirect)->role, Role::kDirect);
  EXPECT_EQ(state.find(kDirect)->granted_by, kRoot);
  EXPECT_EQ(state.find(kDirect)->name, "Direct");
}

TEST(TrustStateTest, ArrivalOrderDoesNotMatter) {
  const TrustState expected = networkState();
  std::vector<HeldRecord> records = network();
  std::mt19937 random(42);  // fixed seed: deterministic
  for (int i = 0; i < 50; ++i) {
    std::shuffle(records.begin(), records.end(), random);
    EXPECT_TRUE(TrustState::derive({{kRoot}, {kDirect}}, records) == expected);
  }
}

TEST(TrustStateTest, EarliestCutWinsAndAnyDropDrops) {
  std::vector<HeldRecord> records = network();
  records.push_back(held(kRoot, 9, Removal{kVendor, 50, false, "second"}));
  TrustState state = TrustState::derive({{kRoot}, {kDirect}}, records);
  EXPECT_EQ(state.lastAcceptedSeq(kVendor), 50u);
  records.push_back(held(kMember, 4, Revocation{kVendor, 70, true, "drop"}));
  state = TrustState::derive({{kRoot}, {kDirect}}, records);
  EXPECT_EQ(state.lastAcceptedSeq(kVendor), 0u);
}

TEST(TrustStateTest, RemovingADelegatorBeforeItsDelegationUnadmitsTheVendor) {
  std::vector<HeldRecord> records = network();
  records.push_back(held(kRoot, 9, Removal{kMember, 0, false, "never was"}));
  TrustState state = TrustState::derive({{kRoot}, {kDirect}}, records);
  EXPECT_EQ(state.find(kVendor), nullptr);
}

TEST(TrustStateTest, RotatedVendorKeepsItsScope) {
  std::vector<HeldRecord> records = network();
  records.push_back(held(kVendor, 7, Rotation{kStranger, Bytes(64, 0)}));
  TrustState state = TrustState::derive({{kRoot}, {kDirect}}, records);
  ASSERT_NE(state.find(kStranger), nullptr);
  EXPECT_EQ(state.find(kStranger)->scope, state.find(kVendor)->scope);
  EXPECT_EQ(state.lastAcceptedSeq(kVendor), 7u);
  feed::HeaderFields header;
  header.author = kStranger;
  header.seq = 1;
  header.kind = testing::kSkillKind;
  header.id = "acme/1";
  EXPECT_EQ(state.verdict(header), reason::kOutOfScopeKind);
}

TEST(TrustStateTest, RotationChainIsBounded) {
  std::vector<HeldRecord> records;
  // kDirect rotates to 100, 100 to 101, ... one step more than the bound.
  PublicKey from = kDirect;
  for (int i = 0; i <= kMaxRotationChain; ++i) {
    PublicKey to = filledKey(static_cast<uint8_t>(100 + i));
    records.push_back(held(from, 1, Rotation{to, Bytes(64, 0)}));
    from = to;
  }
  TrustState state = TrustState::derive({{}, {kDirect}}, records);
  EXPECT_NE(state.find(filledKey(static_cast<uint8_t>(100 + kMaxRotationChain - 1))), nullptr);
  EXPECT_EQ(state.find(filledKey(static_cast<uint8_t>(100 + kMaxRotationChain))), nullptr);
}

TEST(TrustStateTest, RotationCannotTakeOverAnAdmittedKey) {
  std::vector<HeldRecord> records = network();
  records.push_back(held(kVendor, 7, Rotation{kMember, Bytes(64, 0)}));
  TrustState state = TrustState::derive({{kRoot}, {kDirect}}, records);
  EXPECT_EQ(state.find(kMember)->role, Role::kMember);
  EXPECT_EQ(state.find(kMember)->rotated_from, PublicKey{});
  EXPECT_EQ(state.cuts().at(kVendor).cutoff_seq, 7u);  // the vendor's key still stops there
}

TEST(TrustStateTest, DelegationsPerGrantorAreBounded) {
  std::vector<HeldRecord> records;
  std::vector<PublicKey> vendors;
  for (size_t i = 0; i <= kMaxDelegationsPerGrantor; ++i) {
    PublicKey vendor{};
    for (size_t b = 0; b < 4; ++b) vendor[b] = static_cast<uint8_t>((i + 1) >> (8 * b));
    vendor[31] = 0xee;
    vendors.push_back(vendor);
    records.push_back(held(kDirect, i + 1, Delegation{vendor, "v", {testing::kSkillKind}, "", 0}));
  }
  TrustState state = TrustState::derive({{}, {kDirect}}, records);
  EXPECT_NE(state.find(vendors[kMaxDelegationsPerGrantor - 1]), nullptr);
  EXPECT_EQ(state.find(vendors[kMaxDelegationsPerGrantor]), nullptr);
}

// Issue 17, finding 1: a member whose key sorts first floods no-op revocations of random keys.
// Its surplus is ignored and counted; the root's records are judged first, so the honest member
// and its vendor stay admitted (a global cut by key order used to drop them).
TEST(TrustStateTest, ATrustRecordFloodHarmsOnlyTheFlooder) {
  const PublicKey spammer = filledKey(0);
  std::vector<HeldRecord> records = {
      held(kRoot, 1, Membership{spammer, "Spam", ""}),
      held(kRoot, 2, Membership{kMember, "Leeds", "UKE42"}),
      held(kMember, 1, acme(kVendor)),
  };
  constexpr size_t kFlood = 100'000;
  for (size_t i = 0; i < kFlood; ++i) {
    PublicKey target{};
    for (size_t b = 0; b < 4; ++b) target[b] = static_cast<uint8_t>((i + 1) >> (8 * b));
    target[31] = 0xdd;
    records.push_back(held(spammer, i + 1, Revocation{target, 0, true, "spam"}));
  }
  TrustState state = TrustState::derive({{kRoot}, {}}, records);
  ASSERT_NE(state.find(kMember), nullptr);
  EXPECT_EQ(state.find(kMember)->role, Role::kMember);
  ASSERT_NE(state.find(kVendor), nullptr);
  EXPECT_EQ(state.cuts().count(kVendor), 0u);
  ASSERT_EQ(state.overflowing().count(spammer), 1u);
  EXPECT_EQ(state.overflowing().at(spammer), kFlood - kMaxTrustRecordsPerAuthor);
  EXPECT_EQ(state.overflowing().count(kMember), 0u);
  // A revocation of a key its author did not delegate cuts nothing.
  EXPECT_TRUE(state.cuts().empty());
}

// Judging order does not depend on where an author's key sorts: the root's records come first
// even when a member's key sorts before the root's.
TEST(TrustStateTest, RootRecordsAreJudgedFirstWhateverTheKeyOrder) {
  const PublicKey low_member = filledKey(0);
  const PublicKey high_root = filledKey(0xfe);
  std::vector<HeldRecord> records = {
      held(high_root, 1, Membership{low_member, "Low", ""}),
      held(low_member, 1, acme(kVendor)),
  };
  TrustState state = TrustState::derive({{high_root}, {}}, records);
  EXPECT_NE(state.find(low_member), nullptr);
  EXPECT_NE(state.find(kVendor), nullptr);
  EXPECT_TRUE(state.overflowing().empty());
}

// m-of-n roots, in the style of tuf-conformance's threshold cases: a record counts when m
// distinct root identities hold it with the same id and body.
struct ThresholdCase {
  const char* name;
  uint32_t threshold;
  std::vector<HeldRecord> records;
  bool admitted;
};

TEST(TrustStateTest, RootThresholdTable) {
  const PublicKey r1 = filledKey(41), r2 = filledKey(42), r3 = filledKey(43),
                  outsider = filledKey(44);
  const PublicKey node = filledKey(45), r1_next = filledKey(46);
  const Membership admit{node, "Leeds", "UKE42"};
  const Membership other_name{node, "Leeds (typo)", "UKE42"};
  const ThresholdCase cases[] = {
      {"1-of-3, one root", 1, {held(r1, 1, admit)}, true},
      {"2-of-3, one root", 2, {held(r1, 1, admit)}, false},
      {"2-of-3, two roots", 2, {held(r1, 1, admit), held(r2, 1, admit)}, true},
      {"2-of-3, two roots disagree on the body",
       2,
       {held(r1, 1, admit), held(r2, 1, other_name)},
       false},
      {"2-of-3, one root and an outsider",
       2,
       {held(r1, 1, admit), held(outsider, 1, admit)},
       false},
      {"2-of-3, one root signing twice", 2, {held(r1, 1, admit), held(r1, 2, admit)}, false},
      {"2-of-3, a root and its own rotated key",
       2,
       {held(r1, 1, admit), held(r1, 2, Rotation{r1_next, Bytes(64, 0)}),
        held(r2, 1, RotationApproval{r1, r1_next}), held(r1_next, 1, admit)},
       false},
      {"2-of-3, rotated key (approved) and another root",
       2,
       {held(r1, 1, Rotation{r1_next, Bytes(64, 0)}), held(r2, 1, RotationApproval{r1, r1_next}),
        held(r1_next, 1, admit), held(r3, 1, admit)},
       true},
      {"2-of-3, rotated key not approved and another root",
       2,
       {held(r1, 1, Rotation{r1_next, Bytes(64, 0)}), held(r1_next, 1, admit), held(r3, 1, admit)},
       false},
      {"3-of-3, all three", 3, {held(r1, 1, admit), held(r2, 1, admit), held(r3, 1, admit)}, true},
  };
  for (const ThresholdCase& c : cases) {
    TrustConfig config{{r1, r2, r3}, {}, c.threshold};
    TrustState state = TrustState::derive(config, c.records);
    EXPECT_EQ(state.find(node) != nullptr, c.admitted) << c.name;
  }
}

TEST(TrustStateTest, RemovalUnderAThresholdNeedsAgreementToo) {
  const PublicKey r1 = filledKey(51), r2 = filledKey(52), node = filledKey(53);
  std::vector<HeldRecord> records = {held(r1, 1, Membership{node, "n", ""}),
                                     held(r2, 1, Membership{node, "n", ""}),
                                     held(r1, 2, Removal{node, 5, false, "one root alone"})};
  TrustConfig config{{r1, r2}, {}, 2};
  EXPECT_EQ(TrustState::derive(config, records).lastAcceptedSeq(node), kNoCutoff);
  records.push_back(held(r2, 2, Removal{node, 5, false, "one root alone"}));
  EXPECT_EQ(TrustState::derive(config, records).lastAcceptedSeq(node), 5u);
}

// A root key's rotation under 2-of-3 roots: alone it is pending and the new key's updates are
// refused as rotation_unconfirmed; an approval by the old key itself, its successor, an outsider
// or a member adds no voice; one other root's approval makes it count, whatever the order.
TEST(TrustStateTest, RootRotationUnderAThresholdNeedsApprovals) {
  const PublicKey r1 = filledKey(61), r2 = filledKey(62), r3 = filledKey(63),
                  r1_next = filledKey(64);
  const PublicKey member = filledKey(65), outsider = filledKey(66);
  const TrustConfig config{{r1, r2, r3}, {}, 2};
  std::vector<HeldRecord> records = {
      held(r1, 1, Rotation{r1_next, Bytes(64, 0)}),
      held(r1, 2, RotationApproval{r1, r1_next}),       // its own voice, again
      held(r1_next, 1, RotationApproval{r1, r1_next}),  // the same identity
      held(outsider, 1, RotationApproval{r1, r1_next}),
      held(r2, 1, Membership{member, "m", ""}),
      held(r3, 1, Membership{member, "m", ""}),
      held(member, 1, RotationApproval{r1, r1_next}),  // not a root
  };
  feed::HeaderFields by_new_key;
  by_new_key.author = r1_next;
  by_new_key.seq = 1;
  by_new_key.kind = testing::kSkillKind;
  by_new_key.id = "s";
  TrustState pending = TrustState::derive(config, records);
  EXPECT_EQ(pending.verdict(by_new_key), reason::kRotationUnconfirmed);
  ASSERT_EQ(pending.pendingRotations().count(r1_next), 1u);
  EXPECT_EQ(pending.pendingRotations().at(r1_next).old_key, r1);
  EXPECT_EQ(pending.pendingRotations().at(r1_next).identities, 1u);
  EXPECT_EQ(pending.lastAcceptedSeq(r1), kNoCutoff) << "the old key still holds its voice";
  feed::HeaderFields member_approval = by_new_key;
  member_approval.author = member;
  member_approval.kind = feed::kTrustKind;
  member_approval.id = recordId(RotationApproval{r1, r1_next});
  EXPECT_EQ(pending.verdict(member_approval), reason::kNotAuthorized);

  records.push_back(held(r3, 2, RotationApproval{r1, r1_next}));
  TrustState confirmed = TrustState::derive(config, records);
  EXPECT_EQ(confirmed.verdict(by_new_key), reason::kAccepted);
  EXPECT_TRUE(confirmed.pendingRotations().empty());
  ASSERT_NE(confirmed.find(r1_next), nullptr);
  EXPECT_EQ(confirmed.find(r1_next)->role, Role::kRoot);
  EXPECT_EQ(confirmed.lastAcceptedSeq(r1), 1u) << "the old key's feed ends at the rotation";
  std::mt19937 shuffle(7);
  for (int i = 0; i < 20; ++i) {
    std::shuffle(records.begin(), records.end(), shuffle);
    EXPECT_EQ(TrustState::derive(config, records), confirmed);
  }
  // Under threshold 1 a root's rotation counts alone, as before.
  const TrustConfig alone{{r1, r2, r3}, {}, 1};
  EXPECT_EQ(
      TrustState::derive(alone, {held(r1, 1, Rotation{r1_next, Bytes(64, 0)})}).verdict(by_new_key),
      reason::kAccepted);
}

// Expiry records are reported, never judged: a trusted author's newest one is kept; an
// unknown author's is not; verdicts are the same with or without them.
TEST(TrustStateTest, ExpiriesAreKeptForReportsAndChangeNoVerdict) {
  std::vector<HeldRecord> records = network();
  const TrustState without = TrustState::derive({{kRoot}, {kDirect}}, records);
  records.push_back(held(kRoot, 9, Expiry{1'000}));
  records.push_back(held(kStranger, 2, Expiry{2'000}));
  const TrustState with = TrustState::derive({{kRoot}, {kDirect}}, records);
  ASSERT_EQ(with.expiries().size(), 1u);
  EXPECT_EQ(with.expiries().at(kRoot), 1'000);
  EXPECT_EQ(with.authors(), without.authors());
  EXPECT_EQ(with.cuts(), without.cuts());
  feed::HeaderFields late;
  late.author = kVendor;
  late.seq = 5;
  late.kind = testing::kLearningResourceKind;
  late.id = "acme/1";
  late.time_ms = 5'000;  // after the root's declared expiry: still accepted
  EXPECT_EQ(with.verdict(late), reason::kAccepted);
}

}  // namespace
}  // namespace eichub::trust
