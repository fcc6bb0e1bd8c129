// Sync between several engines wired in memory (mesh_harness.h): catch-up over several peers,
// relays along a line, lost answers, slow, stalled and vanishing sources, a throttled peer
// beside honest ones, and pushes past their limit. The transport is not here: the process tests
// (tests/multinode, tests/faults) run such stories over real sockets.
#include <algorithm>

#include <gtest/gtest.h>

#include "tests/unit/sync/mesh_harness.h"

namespace eichub::sync {
namespace {

using testing::Mesh;

constexpr uint32_t kCredit = 16;  // Mesh::defaultOptions().want_credit
const int64_t kWantTimeoutMs = SyncOptions{}.want_timeout_ms;

bool isUpdates(const wire::Message& message) {
  return std::holds_alternative<wire::Updates>(message);
}

// The largest number of updates one message carried from from to to.
size_t largestRun(const Mesh& mesh, size_t from, size_t to) {
  size_t largest = 0;
  for (const auto& d : mesh.deliveredUpdates()) {
    if (d.from == from && d.to == to) largest = std::max(largest, d.updates);
  }
  return largest;
}

// Three nodes: A published n updates of the feed and B, peered with A, pulled them all; C, the
// node under test, is linked to nobody yet.
struct TwoSources {
  size_t a, b, c;
};
TwoSources twoSourcesAndANewNode(Mesh& mesh, int n) {
  TwoSources nodes{mesh.add(), mesh.add(), mesh.add()};
  mesh.publish(nodes.a, n);
  mesh.peer(nodes.a, nodes.b);
  mesh.pump();
  EXPECT_EQ(mesh.node(nodes.b).seqOf(mesh.author()), static_cast<uint64_t>(n));
  return nodes;
}

// C pulls a feed that A and B both hold: it converges, asks one source per feed at a time (nothing
// arrives twice), never more than one want's credit per message, and blames no one.
TEST(MeshSyncTest, CatchUpFromTwoPeersHoldingTheFeedTakesEachUpdateOnce) {
  Mesh mesh;
  const auto [a, b, c] = twoSourcesAndANewNode(mesh, 300);
  mesh.connect(c, a);
  mesh.connect(c, b);
  mesh.pump();
  EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), 300u);
  EXPECT_TRUE(mesh.converged());
  const LinkStats from_a = mesh.node(c).stats(Mesh::keyOf(a), Role::kClient);
  const LinkStats from_b = mesh.node(c).stats(Mesh::keyOf(b), Role::kClient);
  EXPECT_EQ(from_a.updates_received + from_b.updates_received, 300u);
  EXPECT_EQ(from_a.duplicates + from_b.duplicates, 0u);
  EXPECT_EQ(from_a.rejected + from_b.rejected, 0u);
  EXPECT_LE(largestRun(mesh, a, c), kCredit);
  EXPECT_LE(largestRun(mesh, b, c), kCredit);
  EXPECT_EQ(mesh.node(c).engine->sourceSwitches(), 0u);
  EXPECT_FALSE(mesh.node(c).engine->catchingUp());
}

// A line A-B-C: C hears A's feed only through B, first the catch-up, then each live publish (a few
// updates: pushed along the line, no have-want round trip).
TEST(MeshSyncTest, ALineRelaysTheCatchUpAndPushesLivePublishesToTheFarEnd) {
  Mesh mesh;
  const size_t a = mesh.add(), b = mesh.add(), c = mesh.add();
  mesh.publish(a, 100);
  mesh.peer(a, b);
  mesh.peer(b, c);
  mesh.pump();
  ASSERT_EQ(mesh.node(c).seqOf(mesh.author()), 100u);
  const uint64_t pushes_a = mesh.node(a).engine->pushesSent();
  const uint64_t pushes_b = mesh.node(b).engine->pushesSent();
  const uint64_t pushed_to_c = mesh.node(c).stats(Mesh::keyOf(b), Role::kClient).updates_pushed;
  for (int round = 0; round < 3; ++round) {
    mesh.publish(a, 2);
    mesh.pump();
    EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), 102u + 2 * round);
  }
  EXPECT_TRUE(mesh.converged());
  EXPECT_EQ(mesh.node(a).engine->pushesSent(), pushes_a + 3);  // to B
  EXPECT_EQ(mesh.node(b).engine->pushesSent(), pushes_b + 3);  // on to C
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(b), Role::kClient).updates_pushed, pushed_to_c + 6);
}

// A publish of more updates than a push may carry goes along the line as have, then want.
TEST(MeshSyncTest, APublishLargerThanAPushReachesTheFarEndByHaveAndWant) {
  Mesh mesh;
  const size_t a = mesh.add(), b = mesh.add(), c = mesh.add();
  mesh.peer(a, b);
  mesh.peer(b, c);
  mesh.publish(a, 1);
  mesh.pump();
  ASSERT_EQ(mesh.node(c).seqOf(mesh.author()), 1u);
  const uint64_t pushes_a = mesh.node(a).engine->pushesSent();
  mesh.publish(a, kMaxPushUpdates + 1);
  mesh.pump();
  EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), kMaxPushUpdates + 2);
  EXPECT_TRUE(mesh.converged());
  EXPECT_EQ(mesh.node(a).engine->pushesSent(), pushes_a);
  EXPECT_LE(largestRun(mesh, a, b), kCredit);
}

// The server's answer is lost on its way (a server may drop under pressure): after the want timeout
// the client asks again, of the same source, and the server serves the re-ask.
TEST(MeshSyncTest, ALostAnswerIsAskedAgainAfterTheWantTimeoutAndServed) {
  Mesh mesh;
  const size_t a = mesh.add(), b = mesh.add();
  mesh.publish(a, 200);
  mesh.connect(b, a);
  int lost = 0;
  const auto lose_one = [&](size_t, size_t, const wire::Message& m) {
    return isUpdates(m) && lost++ == 1;  // the second answer
  };
  mesh.pump(lose_one);
  ASSERT_EQ(mesh.dropped(), 1u);
  const uint64_t stuck_at = mesh.node(b).seqOf(mesh.author());
  ASSERT_LT(stuck_at, 200u);
  mesh.advance(kWantTimeoutMs / 2);
  EXPECT_EQ(mesh.node(b).seqOf(mesh.author()), stuck_at);  // not asked again yet
  mesh.advance(kWantTimeoutMs / 2 + 1);
  EXPECT_EQ(mesh.node(b).seqOf(mesh.author()), 200u);
  EXPECT_TRUE(mesh.converged());
  EXPECT_EQ(mesh.node(a).engine->refusedWants().count("re-ask too soon"), 0u);
  EXPECT_EQ(mesh.node(b).engine->sourceSwitches(), 0u);  // the only source: no switch
  EXPECT_EQ(mesh.node(b).stats(Mesh::keyOf(a), Role::kClient).rejected, 0u);
}

// B's only source stalls once while B catches up: B leaves it for the feed (for six want
// timeouts) and, having no other, asks it again. A live push from it in that time is not taken
// from a source left, but its head is pulled: B does not wait for the feed's next update.
TEST(MeshSyncTest, APushFromTheOnlySourceLeftAfterAStallIsPulled) {
  Mesh mesh;
  const size_t a = mesh.add(), b = mesh.add();
  mesh.publish(a, 200);
  mesh.connect(b, a);
  int answers = 0;
  mesh.pump([&](size_t, size_t, const wire::Message& m) { return isUpdates(m) && answers++ == 1; });
  ASSERT_LT(mesh.node(b).seqOf(mesh.author()), 200u);
  mesh.advance(kWantTimeoutMs + 1);
  ASSERT_EQ(mesh.node(b).seqOf(mesh.author()), 200u);
  const uint64_t pushes = mesh.node(a).engine->pushesSent();
  mesh.publish(a, 1);
  mesh.pump();
  EXPECT_EQ(mesh.node(a).engine->pushesSent(), pushes + 1);
  EXPECT_EQ(mesh.node(b).seqOf(mesh.author()), 201u);
  EXPECT_TRUE(mesh.converged());
  EXPECT_EQ(mesh.node(b).stats(Mesh::keyOf(a), Role::kClient).rejected, 0u);
}

// A source that announces the feed and never answers (it withholds or trickles) is left, after the
// want timeout, for another peer that announces the same data (case 29).
TEST(MeshSyncTest, ASourceThatNeverAnswersIsLeftForAnotherAfterTheWantTimeout) {
  Mesh mesh;
  const auto [a, b, c] = twoSourcesAndANewNode(mesh, 120);
  // C's first source is A (both announce the same head; the first link wins the tie).
  // Bindings are captured by copy (clang 14 refuses to capture a structured binding).
  const auto a_withholds = [a = a, c = c](size_t from, size_t to, const wire::Message& m) {
    return from == a && to == c && isUpdates(m);
  };
  mesh.connect(c, a);
  mesh.connect(c, b);
  mesh.pump(a_withholds);
  ASSERT_EQ(mesh.node(c).seqOf(mesh.author()), 0u);
  ASSERT_GT(mesh.dropped(), 0u);
  mesh.advance(kWantTimeoutMs + 1, a_withholds);
  EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), 120u);
  EXPECT_EQ(mesh.node(c).engine->sourceSwitches(), 1u);
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(b), Role::kClient).updates_received, 120u);
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(a), Role::kClient).rejected, 0u);  // no blame
}

// A slow source whose every answer lands within the want timeout keeps the pull, though a faster
// peer announces the same feed; a source left after a timeout answers late, and its late answers
// are dropped without blame (case 29).
TEST(MeshSyncTest, ASlowSourceWithinTheTimeoutKeepsThePullAndLateAnswersAreNotBlamed) {
  Mesh mesh;
  const auto [a, b, c] = twoSourcesAndANewNode(mesh, 100);
  const auto a_is_slow = [a = a, c = c](size_t from, size_t to, const wire::Message& m) {
    return from == a && to == c && isUpdates(m);
  };
  mesh.connect(c, a);
  mesh.connect(c, b);
  mesh.pump(a_is_slow);
  for (int step = 0; step < 100 && mesh.node(c).seqOf(mesh.author()) < 100u; ++step) {
    mesh.advance(kWantTimeoutMs - 1, a_is_slow);  // each answer lands just in time
    mesh.deliverHeld(a_is_slow);
  }
  EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), 100u);
  EXPECT_EQ(mesh.node(c).engine->sourceSwitches(), 0u);
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(b), Role::kClient).updates_received, 0u);

  // A's next answers come after the timeout: the pull moves to B, and A's late runs cost A nothing.
  mesh.publish(a, 100);  // also reaches B, which peers with A
  mesh.pump(a_is_slow);
  mesh.advance(kWantTimeoutMs + 1, a_is_slow);
  EXPECT_EQ(mesh.node(c).engine->sourceSwitches(), 1u);
  mesh.deliverHeld(a_is_slow);
  EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), 200u);
  EXPECT_GT(mesh.node(c).stats(Mesh::keyOf(b), Role::kClient).updates_received, 0u);
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(a), Role::kClient).rejected, 0u);
  EXPECT_TRUE(mesh.converged());
}

// The link to the source goes down mid catch-up: the pull goes on from the other peer at once, from
// what C holds, with no timeout; nothing is lost or taken twice.
TEST(MeshSyncTest, ASourceGoingAwayMidCatchUpHandsThePullToTheOtherPeer) {
  Mesh mesh;
  const auto [a, b, c] = twoSourcesAndANewNode(mesh, 200);
  mesh.connect(c, a);
  mesh.connect(c, b);
  int answers = 0;
  // A's third answer never arrives: A's link goes down with it queued.
  const auto cut_at_third = [a = a, c = c, &answers](size_t from, size_t to,
                                                     const wire::Message& m) {
    return from == a && to == c && isUpdates(m) && ++answers >= 3;
  };
  mesh.pump(cut_at_third);
  const uint64_t held = mesh.node(c).seqOf(mesh.author());
  ASSERT_GT(held, 0u);
  ASSERT_LT(held, 200u);
  mesh.disconnect(c, a);
  mesh.pump();
  EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), 200u);
  const LinkStats from_a = mesh.node(c).stats(Mesh::keyOf(a), Role::kClient);
  const LinkStats from_b = mesh.node(c).stats(Mesh::keyOf(b), Role::kClient);
  EXPECT_EQ(from_a.updates_received, held);
  EXPECT_EQ(from_b.updates_received, 200u - held);
  EXPECT_EQ(from_b.duplicates, 0u);
  // A comes back: nothing more to pull, nothing blamed.
  mesh.connect(c, a);
  mesh.pump();
  EXPECT_TRUE(mesh.converged());
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(a), Role::kClient).rejected, 0u);
}

// A peer that keeps sending garbage is throttled after reject_limit rejections; C's sync with its
// honest peers goes on meanwhile, and the throttled peer's messages are ignored.
TEST(MeshSyncTest, AGarbageSenderIsThrottledWhileTheHonestPeersStillSync) {
  Mesh mesh;
  const size_t a = mesh.add(), c = mesh.add(), x = mesh.add();
  mesh.peer(a, c);
  mesh.connect(x, c);  // x pulls from C, so C serves it
  mesh.publish(a, 20);
  mesh.pump();
  ASSERT_EQ(mesh.node(c).seqOf(mesh.author()), 20u);
  const uint64_t limit = Mesh::defaultOptions().reject_limit;
  for (uint64_t i = 0; i < limit; ++i) mesh.inject(x, c, Role::kServer, Bytes{0xde, 0xad});
  const LinkStats from_x = mesh.node(c).stats(Mesh::keyOf(x), Role::kServer);
  EXPECT_TRUE(from_x.throttled);
  EXPECT_EQ(from_x.rejected_by_reason.at("malformed message"), limit);
  mesh.inject(x, c, Role::kServer, Bytes{0xde, 0xad});  // ignored, not counted
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(x), Role::kServer).rejected, limit);
  mesh.publish(a, 30);
  mesh.pump();
  EXPECT_EQ(mesh.node(c).seqOf(mesh.author()), 50u);
  EXPECT_EQ(mesh.node(c).stats(Mesh::keyOf(a), Role::kClient).rejected, 0u);
}

// Updates verified and handed to a writer that has not committed them count against the credit
// window: a writer behind (a slow disk) stops the pull at the window, it does not queue the whole
// remote feed in memory; as the writer commits, the pull goes on to the end.
TEST(MeshSyncTest, UpdatesWaitingForTheWriterStayWithinTheCreditWindow) {
  Mesh mesh;
  const size_t a = mesh.add();
  const size_t b = mesh.add();
  mesh.publish(a, 150);
  mesh.node(b).storage.defer_commits = true;
  mesh.connect(b, a);
  mesh.pump();
  EXPECT_LE(mesh.node(b).engine->pendingUpdates(), kUncommittedWantCredits * kCredit);
  EXPECT_GT(mesh.node(b).engine->pendingUpdates(), 0u);
  EXPECT_EQ(mesh.node(b).seqOf(mesh.author()), 0u);
  for (int round = 0; round < 40 && mesh.node(b).seqOf(mesh.author()) < 150; ++round) {
    mesh.node(b).storage.commitDeferred();
    mesh.pump();
    EXPECT_LE(mesh.node(b).engine->pendingUpdates(), kUncommittedWantCredits * kCredit);
  }
  mesh.node(b).storage.commitDeferred();
  mesh.pump();
  EXPECT_EQ(mesh.node(b).seqOf(mesh.author()), 150u);
  EXPECT_TRUE(mesh.converged());
}

}  // namespace
}  // namespace eichub::sync
