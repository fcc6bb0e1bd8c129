// CreditLedger: what an honest client asks is always served; a client that asks past its
// window, for more than the cap, or again for what it was just sent is not.
#include "federation/sync/credit_ledger.h"

#include <gtest/gtest.h>

namespace eichub::sync {
namespace {

constexpr uint64_t kCredit = 64;
using V = CreditLedger::Verdict;

TEST(CreditLedgerTest, AnHonestPipelinedPullIsAlwaysServed) {
  CreditLedger ledger(kCredit, 2500);
  const PublicKey author{};
  // The client keeps two wants in flight: it asks from requested_to + 1 once less than one
  // credit is outstanding.
  uint64_t requested_to = 0;
  int64_t now = 0;
  for (int i = 0; i < 100; ++i, now += 10) {
    ASSERT_EQ(ledger.admit(1, author, requested_to + 1, kCredit, now), V::kServe) << i;
    ledger.served(1, author, requested_to + 1, kCredit, now);
    requested_to += kCredit;
    EXPECT_LE(ledger.unanswered(1, author), 2 * kCredit);
  }
}

TEST(CreditLedgerTest, OverTheCapOrPastTheWindowIsRefused) {
  CreditLedger ledger(kCredit, 2500);
  const PublicKey author{};
  EXPECT_EQ(ledger.admit(1, author, 1, 2 * kCredit + 1, 0), V::kOverCap);
  ASSERT_EQ(ledger.admit(1, author, 1, 2 * kCredit, 0), V::kServe);
  ledger.served(1, author, 1, 2 * kCredit, 0);
  // The next want claims the client holds 2 x credit - credit, leaving more than the cap open.
  EXPECT_EQ(ledger.admit(1, author, 2 * kCredit + 1, 2 * kCredit, 0), V::kOverCap);
}

TEST(CreditLedgerTest, ReasksAreServedOnlyAfterTheGapAndProbesAlways) {
  CreditLedger ledger(kCredit, 2500);
  const PublicKey author{};
  ASSERT_EQ(ledger.admit(1, author, 1, kCredit, 0), V::kServe);
  ledger.served(1, author, 1, kCredit, 0);
  EXPECT_EQ(ledger.admit(1, author, 1, kCredit, 100), V::kReaskTooSoon);
  EXPECT_EQ(ledger.admit(1, author, 10, 1, 100), V::kServe);  // a one-header probe
  EXPECT_EQ(ledger.admit(1, author, 1, kCredit, 2600), V::kServe);
  // Another link and another feed have ledgers of their own; a link going down forgets its.
  EXPECT_EQ(ledger.admit(2, author, 1, kCredit, 100), V::kServe);
  ledger.linkDown(1);
  EXPECT_EQ(ledger.unanswered(1, author), 0u);
}

}  // namespace
}  // namespace eichub::sync
