// CreditLedger: what an honest client asks is always served; a client that asks past its
// window, for more than the cap, or again for what it was just sent (or is still queued) is
// not. The bytes sent past what a client's wants state it holds are counted per link.
#include "federation/sync/credit_ledger.h"

#include <gtest/gtest.h>

namespace eichub::sync {
namespace {

constexpr uint64_t kCredit = 64;
constexpr int64_t kGapMs = 2500;
using V = CreditLedger::Verdict;

V verdict(CreditLedger& ledger, LinkId link, const PublicKey& author, uint64_t from,
          uint64_t credit, int64_t now, uint64_t held_seq = 0, bool queued = false) {
  return ledger.admit(link, author, from, credit, held_seq, queued, now).verdict;
}

PublicKey authorNumber(uint8_t n) {
  PublicKey key{};
  key[0] = n;
  return key;
}

TEST(CreditLedgerTest, AnHonestPipelinedPullIsAlwaysServed) {
  CreditLedger ledger(kCredit, kGapMs);
  const PublicKey author{};
  // The client keeps two wants in flight: it asks from requested_to + 1 once less than one
  // credit is outstanding.
  uint64_t requested_to = 0;
  int64_t now = 0;
  for (int i = 0; i < 100; ++i, now += 10) {
    ASSERT_EQ(verdict(ledger, 1, author, requested_to + 1, kCredit, now), V::kServe) << i;
    ledger.served(1, author, requested_to + 1, kCredit, 1000, now);
    requested_to += kCredit;
    EXPECT_LE(ledger.unanswered(1, author), 2 * kCredit);
  }
}

TEST(CreditLedgerTest, OverTheCapOrPastTheWindowIsRefused) {
  CreditLedger ledger(kCredit, kGapMs);
  const PublicKey author{};
  EXPECT_EQ(verdict(ledger, 1, author, 1, 2 * kCredit + 1, 0), V::kOverCap);
  ASSERT_EQ(verdict(ledger, 1, author, 1, 2 * kCredit, 0), V::kServe);
  ledger.served(1, author, 1, 2 * kCredit, 1000, 0);
  // The next want claims the client holds 2 x credit - credit, leaving more than the cap open.
  EXPECT_EQ(verdict(ledger, 1, author, 2 * kCredit + 1, 2 * kCredit, 0), V::kOverCap);
}

TEST(CreditLedgerTest, ReasksAreServedOnlyAfterTheGapAndProbesAlways) {
  CreditLedger ledger(kCredit, kGapMs);
  const PublicKey author{};
  ASSERT_EQ(verdict(ledger, 1, author, 1, kCredit, 0), V::kServe);
  ledger.served(1, author, 1, kCredit, 1000, 0);
  EXPECT_EQ(verdict(ledger, 1, author, 1, kCredit, 100), V::kReaskTooSoon);
  EXPECT_EQ(verdict(ledger, 1, author, 10, 1, 100), V::kServe);  // a one-header probe
  EXPECT_EQ(verdict(ledger, 1, author, 1, kCredit, 2600), V::kServe);
  // Another link and another feed have ledgers of their own; a link going down forgets its.
  EXPECT_EQ(verdict(ledger, 2, author, 1, kCredit, 100), V::kServe);
  ledger.linkDown(1);
  EXPECT_EQ(ledger.unanswered(1, author), 0u);
}

TEST(CreditLedgerTest, UnackedBytesAreTheRunsPastWhatTheWantsStateHeld) {
  CreditLedger ledger(kCredit, kGapMs);
  const PublicKey a = authorNumber(1);
  const PublicKey b = authorNumber(2);
  // Feed a: runs 1-10 (1,000 bytes), 11-20 (2,000), 21-30 (4,000); feed b: 1-5 (500).
  ledger.served(1, a, 1, 10, 1000, 0);
  ledger.served(1, a, 11, 10, 2000, 0);
  ledger.served(1, a, 21, 10, 4000, 0);
  ledger.served(1, b, 1, 5, 500, 0);
  ledger.served(2, a, 1, 10, 9999, 0);  // another link counts apart
  EXPECT_EQ(ledger.unackedBytes(1), 7500u);
  EXPECT_EQ(ledger.servedTo(1, a), 30u);
  // Holding 15 acknowledges the first run only: a run is freed when all of it is held.
  EXPECT_EQ(verdict(ledger, 1, a, 31, kCredit, 10, /*held_seq=*/15), V::kServe);
  EXPECT_EQ(ledger.unackedBytes(1), 6500u);
  EXPECT_EQ(verdict(ledger, 1, a, 31, kCredit, 10, /*held_seq=*/30), V::kServe);
  EXPECT_EQ(ledger.unackedBytes(1), 500u);
  // An older client states nothing: its holdings are inferred from its wants (from - credit).
  EXPECT_EQ(verdict(ledger, 1, b, 5 + kCredit + 1, kCredit, 10), V::kServe);
  EXPECT_EQ(ledger.unackedBytes(1), 0u);
  EXPECT_EQ(ledger.unackedBytes(2), 9999u);
  ledger.linkDown(2);
  EXPECT_EQ(ledger.unackedBytes(2), 0u);
}

TEST(CreditLedgerTest, ARestatedWantGoesOnWhereTheServerStopped) {
  CreditLedger ledger(kCredit, kGapMs);
  const PublicKey author{};
  ASSERT_EQ(verdict(ledger, 1, author, 1, kCredit, 0), V::kServe);
  ledger.served(1, author, 1, 10, 1000, 0);  // the budget stopped the answer at 10
  ledger.served(1, author, 11, 10, 1000, 0);
  // The client read up to 4 and restates the rest of its want: served from 21, not again.
  auto go_on = ledger.admit(1, author, 5, kCredit - 4, /*held_seq=*/4, false, 100);
  EXPECT_EQ(go_on.verdict, V::kServe);
  EXPECT_EQ(go_on.from, 21u);
  EXPECT_EQ(go_on.count, kCredit - 20);
  // A restated want of what was all sent asks for nothing more.
  auto nothing = ledger.admit(1, author, 11, 10, /*held_seq=*/10, false, 200);
  EXPECT_EQ(nothing.verdict, V::kServe);
  EXPECT_EQ(nothing.count, 0u);
  EXPECT_EQ(ledger.unackedBytes(1), 1000u);
  // While an answer is queued a restated want never rewinds, however late it comes.
  auto queued = ledger.admit(1, author, 11, 10, /*held_seq=*/10, true, 9000);
  EXPECT_EQ(queued.from, 21u);
  EXPECT_EQ(ledger.unackedBytes(1), 1000u);
  // A gap after the last answer with nothing queued: what was sent is lost, served again.
  auto again = ledger.admit(1, author, 11, 10, /*held_seq=*/10, false, 9000);
  EXPECT_EQ(again.verdict, V::kServe);
  EXPECT_EQ(again.from, 11u);
  EXPECT_EQ(again.count, 10u);
  EXPECT_EQ(ledger.unackedBytes(1), 0u);
  EXPECT_EQ(ledger.servedTo(1, author), 10u);
}

TEST(CreditLedgerTest, AReaskWhileAnAnswerIsQueuedIsNotServed) {
  CreditLedger ledger(kCredit, kGapMs);
  const PublicKey author{};
  ASSERT_EQ(verdict(ledger, 1, author, 1, kCredit, 0), V::kServe);
  ledger.served(1, author, 1, kCredit, 64 * 1000, 0);
  // Past the gap, but the previous answer still waits in the send queue: not read again.
  EXPECT_EQ(verdict(ledger, 1, author, 1, kCredit, 3000, 0, /*queued=*/true), V::kAnswerQueued);
  EXPECT_EQ(ledger.unackedBytes(1), 64u * 1000);
  EXPECT_EQ(verdict(ledger, 1, author, 1, kCredit, 3000, 0, /*queued=*/false), V::kServe);
  EXPECT_EQ(ledger.unackedBytes(1), 0u);
}

}  // namespace
}  // namespace eichub::sync
