// Server: hello answered, wants served within credit (each run ending at a verifying
// signature), frozen feeds served only to probes, body requests, have announcements.
#include "federation/sync/server.h"

#include <gtest/gtest.h>

#include "tests/unit/sync/part_harness.h"

namespace eichub::sync {
namespace {

class ServerTest : public testing::PartTest {
 protected:
  void SetUp() override {
    PartTest::SetUp();
    forks_ = std::make_unique<ForkGuard>(*context_, nullptr);
    server_ = std::make_unique<Server>(*context_, *forks_, relay_);
  }
  // Server link 2, up, its client's hello received.
  void subscribe() {
    server_->onHello(2, up(2, Role::kServer), wire::Hello{});
    outbox_.clear();
  }
  std::vector<uint64_t> seqsSent() {
    std::vector<uint64_t> seqs;
    for (auto& [link, updates] : sent<wire::Updates>()) {
      EXPECT_EQ(link, 2u);
      for (const feed::SignedUpdate& u : updates.updates) {
        seqs.push_back(feed::decodeHeader(u.header)->seq);
      }
    }
    return seqs;
  }
  // The context again with this byte budget per link, and a transport queue that holds
  // queued_ bytes.
  void budget(uint64_t bytes) {
    server_.reset();
    makeContext({}, bytes);
    context_->setQueuedBytes([this](LinkId) { return queued_; });
    forks_ = std::make_unique<ForkGuard>(*context_, nullptr);
    server_ = std::make_unique<Server>(*context_, *forks_, relay_);
  }
  // Bytes of header, signature and body of the update held at seq.
  uint64_t updateBytes(uint64_t seq) {
    auto held = storage_->store().queries().readFeed(author(), seq, seq, 1);
    EXPECT_TRUE(held.ok() && held->size() == 1);
    const feed::SignedUpdate& u = held->front();
    return u.header.size() + u.signature.size() + u.body.size();
  }
  std::unique_ptr<ForkGuard> forks_;
  std::unique_ptr<Server> server_;
  uint64_t queued_ = 0;
};

TEST_F(ServerTest, AHelloSubscribesTheLinkAndIsAnsweredWithOurs) {
  store(2);
  server_->onHello(2, up(2, Role::kServer), wire::Hello{});
  EXPECT_TRUE(context_->link(2).subscribed);
  auto hellos = sent<wire::Hello>();
  ASSERT_EQ(hellos.size(), 1u);
  EXPECT_EQ(hellos[0].first, 2u);
  ASSERT_EQ(hellos[0].second.heads.size(), 1u);
  EXPECT_EQ(hellos[0].second.heads[0].seq, 2u);
}

// Issue 17, finding 2: a hello is answered with every head we hold; a client sending hellos
// in a loop gets at most one answer per kHelloAnswerGapMs on a session.
TEST_F(ServerTest, HellosAreAnsweredAtMostOncePerGapOnASession) {
  store(2);
  server_->onHello(2, up(2, Role::kServer), wire::Hello{});
  EXPECT_EQ(sent<wire::Hello>().size(), 1u);
  now_ms_ += kHelloAnswerGapMs - 1;  // one under the gap
  server_->onHello(2, context_->link(2), wire::Hello{});
  EXPECT_TRUE(sent<wire::Hello>().empty());
  EXPECT_EQ(server_->refusedWants().at("hello too soon"), 1u);
  EXPECT_EQ(context_->link(2).stats.rejected, 0u);
  now_ms_ += 1;  // at the gap
  server_->onHello(2, context_->link(2), wire::Hello{});
  EXPECT_EQ(sent<wire::Hello>().size(), 1u);
  server_->forgetSession(2);  // a new session is answered at once
  server_->onHello(2, context_->link(2), wire::Hello{});
  EXPECT_EQ(sent<wire::Hello>().size(), 1u);
}

TEST_F(ServerTest, WantsBeforeHelloOrOutOfBoundsAreRejected) {
  store(2);
  up(2, Role::kServer);
  server_->onWant(2, wire::Want{author(), 1, 1, false});
  server_->onWantBodies(2, wire::WantBodies{{{author(), 1}}});
  EXPECT_EQ(rejected(2, "want before hello"), 2u);
  subscribe();
  server_->onWant(2, wire::Want{author(), 1, 0, false});
  server_->onWant(2, wire::Want{author(), 0, 1, false});
  server_->onWant(2, wire::Want{author(), 1, kMaxWantCredit + 1, false});
  EXPECT_EQ(rejected(2, "bad want"), 3u);
  server_->onWant(2, wire::Want{author(), 1, 2 * 8 + 1, false});  // over the ledger's cap
  EXPECT_EQ(rejected(2, "credit exceeded"), 1u);
  EXPECT_TRUE(seqsSent().empty());
}

TEST_F(ServerTest, AWantIsServedWithinItsCreditWithBodiesOrHeadersOnly) {
  auto updates = store(6);
  subscribe();
  server_->onWant(2, wire::Want{author(), 2, 3, false});
  auto runs = sent<wire::Updates>();
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_EQ(runs[0].second.updates.size(), 3u);
  EXPECT_EQ(runs[0].second.updates[0].header, updates[1].signed_update.header);
  EXPECT_EQ(runs[0].second.updates[2].body, updates[3].signed_update.body);
  EXPECT_EQ(context_->link(2).stats.updates_sent, 3u);
  EXPECT_EQ(server_->credit().unanswered(2, author()), 4u);  // 1..4 sent, nothing asked past
  server_->onWant(2, wire::Want{author(), 5, 8, true});      // past the end: what there is
  runs = sent<wire::Updates>();
  ASSERT_EQ(runs.size(), 1u);
  ASSERT_EQ(runs[0].second.updates.size(), 2u);
  EXPECT_TRUE(runs[0].second.updates[0].body.empty());
  EXPECT_EQ(runs[0].second.updates[0].header, updates[4].signed_update.header);
}

TEST_F(ServerTest, ARunIsCutBeforeALastSignatureThatDoesNotVerify) {
  auto updates = chain(3);
  updates[2].signed_update.signature[0] ^= 0x01;  // stored with a junk signature
  ASSERT_TRUE(storage_->store().writer().apply(updates).ok());
  subscribe();
  server_->onWant(2, wire::Want{author(), 1, 3, false});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{1, 2}));
  server_->onWant(2, wire::Want{author(), 3, 1, false});
  EXPECT_TRUE(seqsSent().empty());  // never a run that ends in a bad signature
}

TEST_F(ServerTest, AReaskSoonerThanTheGapIsDroppedAndCounted) {
  store(4);
  subscribe();
  server_->onWant(2, wire::Want{author(), 1, 4, false});
  EXPECT_EQ(seqsSent().size(), 4u);
  server_->onWant(2, wire::Want{author(), 1, 4, false});
  EXPECT_TRUE(seqsSent().empty());
  EXPECT_EQ(server_->refusedWants().at("re-ask too soon"), 1u);
  EXPECT_EQ(context_->link(2).stats.rejected, 0u);  // no blame
  now_ms_ += reaskGapMs(context_->options());
  server_->onWant(2, wire::Want{author(), 1, 4, false});
  EXPECT_EQ(seqsSent().size(), 4u);
  // A new transport session lost what was sent: its re-ask is served at once.
  server_->forgetSession(2);
  server_->onWant(2, wire::Want{author(), 1, 4, false});
  EXPECT_EQ(seqsSent().size(), 4u);
}

// Issue 17, finding 4: a client that asks and never reads is sent the link's byte budget and
// no more: the rest waits (counted), and neither its re-asks nor a lie about what it holds get
// more while the transport still queues the answer.
TEST_F(ServerTest, AClientThatDoesNotReadIsSentTheByteBudgetAndNoMore) {
  store(8);
  const uint64_t one = updateBytes(1);
  budget(3 * one);
  subscribe();
  server_->onWant(2, wire::Want{author(), 1, 8, false});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(server_->credit().unackedBytes(2), 3 * one);
  EXPECT_EQ(server_->refusedWants().at("byte budget full"), 1u);
  queued_ = 3 * one;  // the transport holds it all: the peer reads nothing
  // It says it holds what it was sent: the ledger believes it, the queue does not.
  server_->onWant(2, wire::Want{author(), 4, 5, false, /*held_seq=*/3});
  EXPECT_TRUE(seqsSent().empty());
  EXPECT_EQ(server_->credit().unackedBytes(2), 0u);
  EXPECT_EQ(server_->refusedWants().at("byte budget full"), 2u);
  server_->resumeDeferred();
  EXPECT_TRUE(seqsSent().empty());
  // A re-ask long after, while the answer is still queued, is not read from the store again.
  now_ms_ += 10 * reaskGapMs(context_->options());
  server_->onWant(2, wire::Want{author(), 1, 8, false});
  EXPECT_TRUE(seqsSent().empty());
  EXPECT_EQ(server_->refusedWants().at("answer still queued"), 1u);
  EXPECT_EQ(context_->link(2).stats.rejected, 0u);  // flow control, not blame
  // The queue drains: the rest is served as far as the budget goes.
  queued_ = 0;
  server_->onWant(2, wire::Want{author(), 4, 5, false, /*held_seq=*/3});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{4, 5, 6}));
}

TEST_F(ServerTest, ARestatedWantGoesOnWhereTheBudgetStoppedAndWaitingRestsResume) {
  store(8);
  const uint64_t one = updateBytes(1);
  budget(2 * one);
  subscribe();
  server_->onWant(2, wire::Want{author(), 1, 8, false});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{1, 2}));
  // While 1-2 are on their way the client restates its want: nothing is sent again, and the
  // budget has no room until it says it read them.
  server_->onWant(2, wire::Want{author(), 2, 7, false, /*held_seq=*/1});
  EXPECT_TRUE(seqsSent().empty());
  server_->onWant(2, wire::Want{author(), 3, 6, false, /*held_seq=*/2});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{3, 4}));
  // The queue held back the rest of a want: once it drains, the rest goes without a want.
  queued_ = 2 * one;
  server_->onWant(2, wire::Want{author(), 5, 4, false, /*held_seq=*/4});
  EXPECT_TRUE(seqsSent().empty());
  queued_ = 0;
  server_->resumeDeferred();
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{5, 6}));
  // A held_seq at or past from_seq is not a want an honest client sends.
  server_->onWant(2, wire::Want{author(), 7, 2, false, /*held_seq=*/7});
  EXPECT_EQ(rejected(2, "bad want"), 1u);
}

TEST_F(ServerTest, AnUpdateLargerThanTheRoomLeftStillGoesOnePerRound) {
  store(3);
  budget(1);  // less than any update
  subscribe();
  server_->onWant(2, wire::Want{author(), 1, 3, false});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{1}));
  server_->onWant(2, wire::Want{author(), 2, 2, false, /*held_seq=*/1});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{2}));
  server_->onWant(2, wire::Want{author(), 3, 1, false, /*held_seq=*/2});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{3}));
}

TEST_F(ServerTest, AFrozenFeedIsServedOnlyAsSingleHeadersForProbes) {
  store(3);
  subscribe();
  storage_->frozen.insert(author());
  server_->onWant(2, wire::Want{author(), 1, 3, false});
  EXPECT_TRUE(seqsSent().empty());
  server_->onWant(2, wire::Want{author(), 2, 1, true});
  EXPECT_EQ(seqsSent(), (std::vector<uint64_t>{2}));
  EXPECT_EQ(context_->link(2).stats.rejected, 0u);
  server_->onWantBodies(2, wire::WantBodies{{{author(), 1}}});
  auto bodies = sent<wire::Bodies>();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_TRUE(bodies[0].second.items.at(0).body.empty());
}

TEST_F(ServerTest, BodyRequestsAreAnsweredItemByItem) {
  auto updates = store(2);
  subscribe();
  PublicKey stranger{};
  server_->onWantBodies(2, wire::WantBodies{{{author(), 2}, {author(), 9}, {stranger, 1}}});
  auto bodies = sent<wire::Bodies>();
  ASSERT_EQ(bodies.size(), 1u);
  const auto& items = bodies[0].second.items;
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].ref, (wire::BodyRef{author(), 2}));
  EXPECT_EQ(items[0].body, updates[1].signed_update.body);
  EXPECT_TRUE(items[1].body.empty());  // not held: the client asks elsewhere
  EXPECT_TRUE(items[2].body.empty());
  EXPECT_EQ(context_->link(2).stats.bodies_sent, 1u);
}

// A body held compressed goes as its stored frame to a client whose hello said it reads frames
// (under half the bytes for catalogue text), and as signed to one that does not; both decode to
// the body as signed.
TEST_F(ServerTest, BodiesGoAsTheirStoredFramesToAClientThatReadsThem) {
  std::string description;
  for (int n = 0; n < 60; ++n) {
    description += "Wound care and infection control, module " + std::to_string(n) + ". ";
  }
  auto updates = store(3, description);
  server_->onHello(2, up(2, Role::kServer), wire::Hello{});
  wire::Hello reads_frames;
  reads_frames.zstd_bodies = true;
  server_->onHello(3, up(3, Role::kServer), reads_frames);
  outbox_.clear();
  const wire::WantBodies want{{{author(), 1}, {author(), 2}, {author(), 3}}};
  server_->onWantBodies(2, want);
  server_->onWantBodies(3, want);
  ASSERT_EQ(outbox_.size(), 2u);
  const size_t raw_bytes = outbox_[0].second.size();
  const size_t frame_bytes = outbox_[1].second.size();
  EXPECT_LT(frame_bytes * 2, raw_bytes);
  auto bodies = sent<wire::Bodies>();
  ASSERT_EQ(bodies.size(), 2u);
  for (const auto& [link, message] : bodies) {
    ASSERT_EQ(message.items.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(message.items[i].body, updates[i].signed_update.body);
      EXPECT_EQ(message.items[i].body_zstd.empty(), link == 2);
    }
  }
}

// Bodies are read and sent only as far as the link's byte budget has room (one at least); the
// refs past it are left unanswered and counted, and the transport's queue counts against it.
TEST_F(ServerTest, BodyRequestsAreServedWithinTheByteBudget) {
  auto updates = store(6);
  const uint64_t body = updates[0].signed_update.body.size();
  ASSERT_GT(body, 0u);
  budget(3 * body);
  subscribe();
  wire::WantBodies want;
  for (uint64_t seq = 1; seq <= 6; ++seq) want.refs.push_back({author(), seq});
  server_->onWantBodies(2, want);
  auto bodies = sent<wire::Bodies>();
  size_t served = 0;
  uint64_t bytes = 0;
  for (const auto& [link, answer] : bodies) {
    for (const wire::BodyItem& item : answer.items) {
      ++served;
      bytes += item.body.size();
    }
  }
  EXPECT_GE(served, 1u);
  EXPECT_LT(served, 6u);
  EXPECT_LE(bytes, 3 * body + body);  // bodies differ a little in size
  EXPECT_EQ(server_->refusedWants().at("byte budget full"), 1u);
  EXPECT_EQ(context_->link(2).stats.rejected, 0u);  // flow control, not blame
  // A full queue leaves no room: nothing is read.
  queued_ = 3 * body;
  server_->onWantBodies(2, wire::WantBodies{{{author(), 6}}});
  EXPECT_TRUE(sent<wire::Bodies>().empty());
  EXPECT_EQ(server_->refusedWants().at("byte budget full"), 2u);
}

TEST_F(ServerTest, EachNewHeadIsAnnouncedOnceToSubscribedUpLinks) {
  subscribe();
  up(3, Role::kServer);  // no hello yet
  server_->onHello(4, up(4, Role::kServer), wire::Hello{});
  context_->link(4).stats.up = false;  // subscribed, then went away
  outbox_.clear();
  store(2);
  server_->announceHeads();
  auto haves = sent<wire::Have>();
  ASSERT_EQ(haves.size(), 1u);
  EXPECT_EQ(haves[0].first, 2u);
  EXPECT_EQ(haves[0].second.head.seq, 2u);
  server_->announceHeads();
  EXPECT_TRUE(sent<wire::Have>().empty());
  store(1);
  server_->announceHeads();
  haves = sent<wire::Have>();
  ASSERT_EQ(haves.size(), 1u);
  EXPECT_EQ(haves[0].second.head.seq, 3u);
}

}  // namespace
}  // namespace eichub::sync
