// Puller: announced heads start pulls from the best source, runs are verified and submitted,
// refused or stalled sources are left for others, store refusals are retried later.
#include "federation/sync/puller.h"

#include <limits>
#include <tuple>

#include <gtest/gtest.h>

#include "tests/unit/sync/part_harness.h"

namespace eichub::sync {
namespace {

class PullerTest : public testing::PartTest {
 protected:
  void SetUp() override {
    PartTest::SetUp();
    forks_ = std::make_unique<ForkGuard>(
        *context_, [this](const PublicKey& author) { puller_->forget(author); });
    bodies_ = std::make_unique<BodyPump>(*context_);
    puller_ = std::make_unique<Puller>(*context_, *forks_, *bodies_, relay_, nullptr);
    remote_ = chain(40);  // the feed the peers hold
  }
  // Client link `link`, up, announcing seq of the remote feed.
  void announce(LinkId link, uint64_t seq) {
    puller_->onHave(link, up(link, Role::kClient), {author(), seq, remote_[seq - 1].hash});
  }
  // The wants sent, as (link, from, credit).
  std::vector<std::tuple<LinkId, uint64_t, uint32_t>> wants() {
    std::vector<std::tuple<LinkId, uint64_t, uint32_t>> out;
    for (auto& [link, want] : sent<wire::Want>())
      out.emplace_back(link, want.from_seq, want.credit);
    return out;
  }
  wire::Updates run(uint64_t from, uint64_t to) {
    wire::Updates updates;
    for (uint64_t seq = from; seq <= to; ++seq) {
      updates.updates.push_back(remote_[seq - 1].signed_update);
    }
    return updates;
  }
  // Hands the store's outcomes to the puller, as the writer would.
  void applyOutcomes() {
    auto outcomes = std::move(storage_->outcomes);
    storage_->outcomes.clear();
    for (auto& [id, status] : outcomes) EXPECT_TRUE(puller_->applied(id, status));
  }
  uint64_t held() { return storage_->store().queries().head(author())->seq; }

  std::unique_ptr<ForkGuard> forks_;
  std::unique_ptr<BodyPump> bodies_;
  std::unique_ptr<Puller> puller_;
  std::vector<feed::VerifiedUpdate> remote_;
};

TEST_F(PullerTest, AHeadAheadOfOursIsPulledWithinCreditFromTheLinkAnnouncingMost) {
  up(1, Role::kClient).remote_heads[author()] = {author(), 5, remote_[4].hash};
  announce(2, 12);
  EXPECT_TRUE(puller_->catchingUp());
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{2, 1, 8}}));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_NE(events_[0].find("event=sync_start"), std::string::npos);
  announce(2, 12);  // asked already: nothing more while 8 are outstanding
  EXPECT_TRUE(wants().empty());
}

// Asking goes on while runs wait for the writer (a commit in progress does not stop the network)
// until what was asked and not committed would pass kUncommittedWantCredits credits (8 here):
// then the next want waits for the writer.
TEST_F(PullerTest, AWriterBehindStopsTheAskingAtItsWindow) {
  announce(1, 40);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 8}}));
  for (uint64_t from = 1; from <= 17; from += 8) {
    wire::Updates updates = run(from, from + 7);
    puller_->onUpdates(1, updates);
    EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, from + 8, 8}}))
        << "after " << from + 7;
  }
  wire::Updates last = run(25, 32);
  puller_->onUpdates(1, last);
  EXPECT_EQ(puller_->pendingUpdates(), kUncommittedWantCredits * 8);
  EXPECT_TRUE(wants().empty()) << "32 wait for the writer: a want of 8 more would pass 32";
  applyOutcomes();
  EXPECT_EQ(puller_->pendingUpdates(), 0u);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 33, 8}}));
}

TEST_F(PullerTest, AnAuthorNotAcceptedIsRememberedAndPulledOnceTrusted) {
  trust_.keys.clear();
  announce(1, 3);
  EXPECT_FALSE(puller_->catchingUp());
  EXPECT_TRUE(wants().empty());
  trust_.keys.insert(author());
  puller_->trustChanged();
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 3}}));
}

TEST_F(PullerTest, AnAnsweredPullIsSubmittedAppliedAndFinished) {
  announce(1, 10);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 8}}));
  wire::Updates first = run(1, 8);
  puller_->onUpdates(1, first);
  EXPECT_EQ(storage_->submitted_sizes, (std::vector<size_t>{8}));
  EXPECT_EQ(puller_->pendingUpdates(), 8u);
  EXPECT_EQ(context_->link(1).stats.updates_received, 8u);
  // The rest is asked while the 8 wait for the writer: together they are within the window.
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 9, 2}}));
  applyOutcomes();
  EXPECT_EQ(puller_->pendingUpdates(), 0u);
  EXPECT_EQ(context_->link(1).stats.updates_applied, 8u);
  EXPECT_TRUE(wants().empty());
  wire::Updates second = run(9, 10);
  puller_->onUpdates(1, second);
  applyOutcomes();
  EXPECT_EQ(held(), 10u);
  EXPECT_FALSE(puller_->catchingUp());
  EXPECT_NE(events_.back().find("event=sync_done"), std::string::npos);
  EXPECT_EQ(context_->link(1).stats.rejected, 0u);
}

TEST_F(PullerTest, RunsThatAreEmptyUnaskedOrBrokenAreRejected) {
  wire::Updates empty;
  puller_->onUpdates(1, empty);
  EXPECT_EQ(rejected(1, "empty updates"), 1u);
  // Unasked and not linking to what we hold (nothing): a push refused without blame.
  wire::Updates unasked = run(2, 3);
  puller_->onUpdates(1, unasked);
  EXPECT_EQ(context_->link(1).stats.pushes_unlinked, 1u);
  EXPECT_EQ(context_->link(1).stats.rejected, 1u);  // the empty run only
  announce(1, 5);
  wire::Updates gap = run(1, 3);
  gap.updates.erase(gap.updates.begin() + 1);
  puller_->onUpdates(1, gap);
  EXPECT_EQ(rejected(1, "broken chain"), 1u);
  wire::Updates forged = run(1, 2);
  forged.updates[1].signature[3] ^= 0x01;
  puller_->onUpdates(1, forged);
  EXPECT_EQ(rejected(1, "bad signature"), 1u);
  EXPECT_TRUE(storage_->submitted_sizes.empty());
}

TEST_F(PullerTest, ARefusedRunMovesThePullToAnotherSourceAndItsLateAnswersAreNotBlamed) {
  announce(1, 6);
  announce(2, 6);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 6}}));
  wire::Updates forged = run(1, 6);
  forged.updates[5].signature[3] ^= 0x01;
  puller_->onUpdates(1, forged);
  EXPECT_EQ(puller_->sourceSwitches(), 1u);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{2, 1, 6}}));
  EXPECT_NE(events_.back().find("reason=refused_run"), std::string::npos);
  wire::Updates late = run(1, 6);
  puller_->onUpdates(1, late);
  EXPECT_EQ(context_->link(1).stats.rejected, 1u);  // the forged run only
  wire::Updates answer = run(1, 6);
  puller_->onUpdates(2, answer);
  applyOutcomes();
  EXPECT_EQ(held(), 6u);
}

TEST_F(PullerTest, APullWithoutProgressIsAskedOfAnotherSourceAfterTheTimeout) {
  announce(1, 4);
  announce(2, 4);
  EXPECT_EQ(wants().size(), 1u);
  now_ms_ += 1'000;
  puller_->tick(now_ms_);  // not past the timeout yet
  EXPECT_TRUE(wants().empty());
  now_ms_ += 1;
  puller_->tick(now_ms_);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{2, 1, 4}}));
  EXPECT_EQ(puller_->sourceSwitches(), 1u);
  EXPECT_NE(events_.back().find("reason=progress_timeout"), std::string::npos);
}

// The daemon sleeps until nextTickMs: it must name the want timeout while a want is owed, and
// nothing once the pull is done.
TEST_F(PullerTest, ItsNextTickIsTheWantTimeoutOfAnOutstandingPullAndNoneWhenDone) {
  constexpr int64_t kNone = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(puller_->nextTickMs(), kNone);
  announce(1, 4);
  EXPECT_EQ(wants().size(), 1u);
  const int64_t due = puller_->nextTickMs();
  EXPECT_EQ(due, now_ms_ + context_->options().want_timeout_ms + 1);
  now_ms_ = due - 1;
  puller_->tick(now_ms_);
  EXPECT_TRUE(wants().empty());
  now_ms_ = due;
  puller_->tick(now_ms_);
  EXPECT_EQ(wants().size(), 1u);  // asked again: the only source
  EXPECT_GT(puller_->nextTickMs(), due);
  wire::Updates answer = run(1, 4);
  puller_->onUpdates(1, answer);
  applyOutcomes();
  EXPECT_EQ(puller_->nextTickMs(), kNone);
}

TEST_F(PullerTest, ALinkGoingDownHandsItsPullsToAnotherSource) {
  announce(1, 4);
  announce(2, 4);
  EXPECT_EQ(wants().size(), 1u);
  context_->link(1).stats.up = false;  // as the engine leaves it
  puller_->linkDown(1);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{2, 1, 4}}));
}

TEST_F(PullerTest, ABatchTheStoreRefusedIsAskedAgainFromItsHeadAfterTheRetryDelay) {
  announce(1, 4);
  EXPECT_EQ(wants().size(), 1u);
  storage_->refuse_submits = 1;
  wire::Updates answer = run(1, 4);
  puller_->onUpdates(1, answer);
  applyOutcomes();
  EXPECT_EQ(puller_->storeFailures(), 1u);
  EXPECT_EQ(context_->link(1).stats.rejected, 0u);  // our disk, not the peer's fault
  EXPECT_TRUE(wants().empty());
  EXPECT_TRUE(puller_->catchingUp());
  now_ms_ += 999;
  puller_->tick(now_ms_);
  EXPECT_TRUE(wants().empty());
  now_ms_ += 1;
  puller_->tick(now_ms_);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 4}}));
}

// Issue 17, finding 3: a record this node refuses, signed by the author, ends the feed's
// valid prefix for every source. It costs its link one rejection: what precedes it is stored,
// the rest of the run (answers to the want already sent) is dropped unblamed, and nothing from
// it on is asked again, of this source or another.
TEST_F(PullerTest, ARecordThisNodeRefusesCostsOneRejectionNotACascade) {
  feed::FeedAppender app(*author_, testing::kNet, {});
  remote_.clear();
  for (int i = 0; i < 8; ++i) {
    Bytes body = testing::resourceBody(i);
    auto change = catalog::checkBody(body);
    if (i == 2) body = Bytes{1, 2, 3};  // signed and bound by its hash, but no record
    remote_.push_back(app.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                                 change->tags, body, 1000 + i));
  }
  announce(1, 8);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 8}}));
  wire::Updates first = run(1, 4);
  puller_->onUpdates(1, first);
  EXPECT_EQ(rejected(1, "invalid record"), 1u);
  EXPECT_EQ(storage_->submitted_sizes, (std::vector<size_t>{2}));
  wire::Updates rest = run(5, 8);  // the rest of the want's answer
  puller_->onUpdates(1, rest);
  applyOutcomes();
  EXPECT_EQ(held(), 2u);
  announce(2, 8);  // another source serves the same record: not asked
  now_ms_ += 10'000;
  puller_->tick(now_ms_);
  EXPECT_TRUE(wants().empty());
  EXPECT_EQ(context_->link(1).stats.rejected, 1u);
  EXPECT_EQ(context_->link(2).stats.rejected, 0u);
  EXPECT_FALSE(puller_->catchingUp());
}

// Issue 17, finding 2: heads of authors trust does not accept are kept apart, at most
// kMaxUnacceptedHeadsPerLink per link; one admitted later is pulled, and a link that announced
// more than was kept is asked for a fresh hello.
TEST_F(PullerTest, HeadsOfAuthorsNotAcceptedAreCappedPerLink) {
  trust_.keys.clear();
  LinkState& link = up(1, Role::kClient);
  PublicKey kept{};
  for (size_t i = 0; i < kMaxUnacceptedHeadsPerLink; ++i) {
    PublicKey stranger{};
    stranger[0] = static_cast<uint8_t>(i >> 8);
    stranger[1] = static_cast<uint8_t>(i);
    stranger[2] = 0xee;
    puller_->onHave(1, link, {stranger, 7, {}});
    if (i == 0) kept = stranger;
  }
  EXPECT_EQ(link.unaccepted_heads.size(), kMaxUnacceptedHeadsPerLink);  // at the limit
  EXPECT_FALSE(link.heads_dropped);
  announce(1, 3);  // one over: not kept
  EXPECT_EQ(link.unaccepted_heads.size(), kMaxUnacceptedHeadsPerLink);
  EXPECT_TRUE(link.heads_dropped);
  EXPECT_TRUE(link.remote_heads.empty());
  EXPECT_TRUE(wants().empty());
  trust_.keys.insert(kept);
  trust_.keys.insert(author());
  puller_->trustChanged();
  EXPECT_EQ(link.remote_heads.count(kept), 1u);
  EXPECT_EQ(link.unaccepted_heads.count(kept), 0u);
  auto hellos = sent<wire::Hello>();  // the dropped heads: asked again
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_TRUE(link.hello_pending);
  // Its answer tells the admitted author's head: pulled.
  wire::Hello answer;
  answer.heads.push_back({author(), 3, remote_[2].hash});
  link.hello_pending = false;
  puller_->onHello(1, link, answer);
  EXPECT_FALSE(link.heads_dropped);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 3}}));
}

// Heads of accepted authors: at most kMaxRemoteHeadsPerLink per link.
TEST_F(PullerTest, HeadsOfAcceptedAuthorsAreCappedPerLink) {
  LinkState& link = up(1, Role::kClient);
  for (size_t i = 0; i + 1 < kMaxRemoteHeadsPerLink; ++i) {
    PublicKey other{};
    other[0] = static_cast<uint8_t>(i >> 16);
    other[1] = static_cast<uint8_t>(i >> 8);
    other[2] = static_cast<uint8_t>(i);
    other[3] = 0xaa;
    link.remote_heads[other] = {other, 1, {}};  // as onHave leaves them
  }
  announce(1, 2);  // at the limit
  EXPECT_EQ(link.remote_heads.size(), kMaxRemoteHeadsPerLink);
  EXPECT_EQ(wants().size(), 1u);
  PublicKey one_over{};
  one_over[4] = 0xbb;
  trust_.keys.insert(one_over);
  puller_->onHave(1, link, {one_over, 2, {}});
  EXPECT_EQ(link.remote_heads.size(), kMaxRemoteHeadsPerLink);
  EXPECT_EQ(link.remote_heads.count(one_over), 0u);
  EXPECT_TRUE(link.heads_dropped);
}

TEST_F(PullerTest, AnUnknownBatchIsNotThePullers) {
  EXPECT_FALSE(puller_->applied(42, Status::OK()));
}

// A source avoided after a timeout loses to one that announces less but is not avoided; once that
// one's data is in, the avoided source, the only one with more, is asked again.
TEST_F(PullerTest, AnUnavoidedSourceWithLessComesBeforeAnAvoidedOneWithMore) {
  announce(1, 12);
  announce(2, 4);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 8}}));
  now_ms_ += 1'001;  // the want timeout
  puller_->tick(now_ms_);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{2, 1, 4}}));
  wire::Updates answer = run(1, 4);
  puller_->onUpdates(2, answer);
  applyOutcomes();
  ASSERT_EQ(held(), 4u);
  auto asked = wants();
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.back(), (std::tuple<LinkId, uint64_t, uint32_t>{1, 5, 8}));
}

// With every source avoided the pull does not stop: the best avoided source is asked again.
TEST_F(PullerTest, WhenEverySourceIsAvoidedThePullStillAsksOne) {
  announce(1, 4);
  announce(2, 4);
  EXPECT_EQ(wants().size(), 1u);
  now_ms_ += 1'001;
  puller_->tick(now_ms_);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{2, 1, 4}}));
  now_ms_ += 1'001;
  puller_->tick(now_ms_);  // link 2 stalls too: both are avoided now
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 4}}));
  EXPECT_TRUE(puller_->catchingUp());
}

// The only source goes down mid-pull: nothing is asked of anybody until it is back, and then the
// pull goes on from what is held.
TEST_F(PullerTest, APullWhoseOnlySourceWentDownResumesFromItsHeadWhenItReturns) {
  announce(1, 12);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 1, 8}}));
  wire::Updates first = run(1, 3);
  puller_->onUpdates(1, first);
  applyOutcomes();
  ASSERT_EQ(held(), 3u);
  outbox_.clear();
  context_->link(1).stats.up = false;  // as the engine leaves it
  puller_->linkDown(1);
  EXPECT_TRUE(wants().empty());
  EXPECT_TRUE(puller_->catchingUp());
  announce(1, 12);
  EXPECT_EQ(wants(), (std::vector<std::tuple<LinkId, uint64_t, uint32_t>>{{1, 4, 8}}));
}

}  // namespace
}  // namespace eichub::sync
