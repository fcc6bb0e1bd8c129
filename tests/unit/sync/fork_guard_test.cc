// ForkGuard: split-view probes, proofs built from conflicting headers, checked, kept, spread
// once per link, and the walk back to the earliest fork point.
#include "federation/sync/fork_guard.h"

#include <gtest/gtest.h>

#include "tests/unit/sync/part_harness.h"

namespace eichub::sync {
namespace {

class ForkGuardTest : public testing::PartTest {
 protected:
  void SetUp() override {
    PartTest::SetUp();
    forks_ = std::make_unique<ForkGuard>(
        *context_, [this](const PublicKey& author) { frozen_.push_back(author); });
  }
  static wire::ForkProof proofOf(const feed::VerifiedUpdate& a, const feed::VerifiedUpdate& b) {
    return {{a.signed_update.header, a.signed_update.signature, {}, {}},
            {b.signed_update.header, b.signed_update.signature, {}, {}}};
  }
  // n updates after head that differ from ours there (another sector).
  std::vector<feed::VerifiedUpdate> branch(int n, feed::Head head) {
    return chain(n, head, [](int) { return "healthcare"; });
  }
  uint64_t proofSeq(const wire::ForkProof& proof) {
    return feed::decodeHeader(proof.first.header)->seq;
  }
  std::unique_ptr<ForkGuard> forks_;
  std::vector<PublicKey> frozen_;  // what on_frozen was told
};

TEST_F(ForkGuardTest, TwoHeadersOfOneSeqAreKeptAndSpreadToEveryPeer) {
  auto ours = store(2);
  auto theirs = branch(1, feed::headAfter(ours[0]));  // another seq 2
  up(1, Role::kClient);
  up(2, Role::kServer).subscribed = true;
  context_->link(3).stats.role = Role::kClient;  // down
  up(4, Role::kServer);                          // no hello: not subscribed
  forks_->onFork(1, proofOf(ours[1], theirs[0]));
  ASSERT_EQ(storage_->proofs.size(), 1u);
  EXPECT_TRUE(storage_->isFrozen(author()));
  EXPECT_EQ(frozen_, (std::vector<PublicKey>{author()}));
  std::vector<LinkId> to;
  for (auto& [link, proof] : sent<wire::ForkProof>()) to.push_back(link);
  EXPECT_EQ(to, (std::vector<LinkId>{1, 2}));
  EXPECT_EQ(context_->link(1).stats.rejected, 0u);
}

TEST_F(ForkGuardTest, ProofsThatShowNoConflictAreRejected) {
  auto ours = store(2);
  forks_->onFork(1, proofOf(ours[1], ours[1]));  // one update twice
  forks_->onFork(1, proofOf(ours[1], ours[0]));  // seq 2 does link to seq 1
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  feed::FeedAppender other(*key, testing::kNet, {});
  Bytes body = testing::resourceBody(1);
  auto change = catalog::checkBody(body);
  auto stranger = other.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                               change->tags, body, 1);
  forks_->onFork(1, proofOf(ours[0], stranger));  // two authors
  wire::ForkProof garbage = proofOf(ours[1], branch(1, feed::headAfter(ours[0]))[0]);
  garbage.second.signature[0] ^= 0x01;
  forks_->onFork(1, garbage);  // a signature that does not verify
  EXPECT_EQ(rejected(1, "invalid fork proof"), 4u);
  EXPECT_TRUE(storage_->proofs.empty());
  EXPECT_TRUE(frozen_.empty());
}

TEST_F(ForkGuardTest, AProofOfAFeedNotAcceptedIsNeitherKeptNorBlamed) {
  auto ours = store(2);
  auto theirs = branch(1, feed::headAfter(ours[0]));
  trust_.keys.clear();
  forks_->onFork(1, proofOf(ours[1], theirs[0]));
  EXPECT_TRUE(storage_->proofs.empty());
  EXPECT_EQ(context_->link(1).stats.rejected, 0u);
}

TEST_F(ForkGuardTest, AHeadThatDisagreesWithOursIsProbedOnce) {
  auto ours = store(3);
  up(1, Role::kClient);
  forks_->watchHead(1, {author(), 3, ours[2].hash});  // the same head
  forks_->watchHead(1, {author(), 2, ours[1].hash});  // the same, lower
  forks_->watchHead(1, {author(), 5, {}});            // ahead: the pull compares it
  EXPECT_TRUE(sent<wire::Want>().empty());
  forks_->watchHead(1, {author(), 3, ours[1].hash});
  forks_->watchHead(1, {author(), 3, ours[1].hash});  // outstanding: not asked twice
  forks_->watchHead(1, {author(), 2, ours[2].hash});
  auto wants = sent<wire::Want>();
  ASSERT_EQ(wants.size(), 2u);
  EXPECT_EQ(wants[0].second.from_seq, 3u);
  EXPECT_EQ(wants[0].second.credit, 1u);
  EXPECT_TRUE(wants[0].second.headers_only);
  EXPECT_EQ(wants[1].second.from_seq, 2u);
  EXPECT_EQ(forks_->probesSent(), 2u);
  trust_.keys.clear();  // a feed we do not accept is not compared
  forks_->watchHead(2, {author(), 3, {}});
  EXPECT_TRUE(sent<wire::Want>().empty());
}

TEST_F(ForkGuardTest, OnlyProbedAnswersAreTakenAndTheSameHeaderIsNoFork) {
  auto ours = store(2);
  up(1, Role::kClient);
  EXPECT_FALSE(forks_->answerProbe(1, ours[1]));  // never asked: a run to store
  forks_->probeFork(1, author(), 2);
  EXPECT_FALSE(forks_->answerProbe(2, ours[1]));  // asked of another link
  EXPECT_TRUE(forks_->answerProbe(1, ours[1]));
  EXPECT_TRUE(storage_->proofs.empty());
}

TEST_F(ForkGuardTest, AProbeAnswerThatDiffersWalksBackToTheFirstForkPoint) {
  auto ours = store(3);
  auto theirs = branch(2, feed::headAfter(ours[0]));  // their seqs 2 and 3 differ from ours
  up(1, Role::kClient);
  forks_->probeFork(1, author(), 3);
  outbox_.clear();
  ASSERT_TRUE(forks_->answerProbe(1, theirs[1]));
  ASSERT_EQ(storage_->proofs.size(), 1u);
  EXPECT_EQ(proofSeq(storage_->proofs[0]), 3u);
  auto wants = sent<wire::Want>();  // their seq 3 does not follow our seq 2: ask for theirs
  ASSERT_EQ(wants.size(), 1u);
  EXPECT_EQ(wants[0].second.from_seq, 2u);
  ASSERT_TRUE(forks_->answerProbe(1, theirs[0]));
  ASSERT_EQ(storage_->proofs.size(), 2u);  // the earlier fork point replaces the later one
  EXPECT_EQ(proofSeq(storage_->proofs[1]), 2u);
  EXPECT_TRUE(sent<wire::Want>().empty());  // their seq 2 follows our seq 1: the walk ends
}

TEST_F(ForkGuardTest, ANextUpdateThatDoesNotFollowOurHeadIsAProof) {
  auto ours = store(2);
  feed::Head elsewhere = feed::headAfter(ours[1]);
  elsewhere.hash[0] ^= 0x01;
  auto next = chain(1, elsewhere);  // seq 3 after a seq 2 nobody holds
  forks_->chainBreakSeen(1, next[0]);
  ASSERT_EQ(storage_->proofs.size(), 1u);
  EXPECT_EQ(storage_->proofs[0].first.header, next[0].signed_update.header);
  EXPECT_EQ(storage_->proofs[0].second.header, ours[1].signed_update.header);
  auto linked = chain(1, feed::headAfter(ours[1]));
  storage_->proofs.clear();
  storage_->frozen.clear();
  forks_->chainBreakSeen(1, linked[0]);  // it does follow: no proof
  EXPECT_TRUE(storage_->proofs.empty());
}

TEST_F(ForkGuardTest, AFrozenFeedsProofIsOfferedOncePerLinkAndToPeersWithALaterOne) {
  auto ours = store(3);
  auto theirs = branch(2, feed::headAfter(ours[0]));
  up(1, Role::kClient);
  forks_->onFork(1, proofOf(ours[1], theirs[0]));  // fork point seq 2
  ASSERT_TRUE(storage_->isFrozen(author()));
  outbox_.clear();
  forks_->offerProof(5, author());
  forks_->offerProof(5, author());
  forks_->watchHead(5, {author(), 3, {}});  // still serves the frozen feed
  auto offered = sent<wire::ForkProof>();
  ASSERT_EQ(offered.size(), 1u);
  EXPECT_EQ(offered[0].first, 5u);
  // A peer that proves a later fork point is sent ours, once; the later one is not kept.
  forks_->onFork(6, proofOf(ours[2], theirs[1]));
  forks_->onFork(6, proofOf(ours[2], theirs[1]));
  EXPECT_EQ(storage_->proofs.size(), 1u);
  offered = sent<wire::ForkProof>();
  ASSERT_EQ(offered.size(), 1u);
  EXPECT_EQ(offered[0].first, 6u);
  EXPECT_EQ(proofSeq(offered[0].second), 2u);
}

// A fork in a feed's first update: the differing head is probed, the proof kept, and the walk back
// stops there (there is no seq 0 to ask for).
TEST_F(ForkGuardTest, AForkAtSeqOneIsProvedAndTheWalkBackEndsThere) {
  auto ours = store(1);
  auto theirs = branch(1, {});  // another seq 1
  up(1, Role::kClient);
  forks_->watchHead(1, {author(), 1, theirs[0].hash});
  auto probes = sent<wire::Want>();
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].second.from_seq, 1u);
  ASSERT_TRUE(forks_->answerProbe(1, theirs[0]));
  ASSERT_EQ(storage_->proofs.size(), 1u);
  EXPECT_EQ(proofSeq(storage_->proofs[0]), 1u);
  EXPECT_TRUE(storage_->isFrozen(author()));
  EXPECT_TRUE(sent<wire::Want>().empty());
  EXPECT_EQ(context_->link(1).stats.rejected, 0u);
}

// The same proof from two peers (it spreads along every path): kept and spread once, the feed
// frozen once, and neither sender blamed.
TEST_F(ForkGuardTest, TheSameProofSeenTwiceIsKeptAndSpreadOnce) {
  auto ours = store(2);
  auto theirs = branch(1, feed::headAfter(ours[0]));
  up(1, Role::kClient);
  up(2, Role::kClient);
  const wire::ForkProof proof = proofOf(ours[1], theirs[0]);
  forks_->onFork(1, proof);
  EXPECT_EQ(sent<wire::ForkProof>().size(), 2u);  // to both links
  forks_->onFork(2, proof);
  EXPECT_TRUE(sent<wire::ForkProof>().empty());
  EXPECT_EQ(storage_->proofs.size(), 1u);
  EXPECT_EQ(frozen_.size(), 1u);
  EXPECT_EQ(context_->link(1).stats.rejected + context_->link(2).stats.rejected, 0u);
}

}  // namespace
}  // namespace eichub::sync
