// The live path (docs/architecture.md "From a peer to the commit"): a new head pushed as updates to
// a peer a few updates behind, the receiver's checks on pushes (linked, bounded, verified like a
// pulled run), and a verified run served and pushed on before its commit, withdrawn when the commit
// fails. Engines wired in-process: A (server_) -> B (client_, link 1) -> C (B's server link 3), D
// (link 4).
#include <deque>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "federation/feed/appender.h"
#include "federation/sync/sync_engine.h"
#include "node/catalog/change.h"
#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync {
namespace {

using testing::kNet;

class LivePushTest : public testing::SyncEngineTest {
 protected:
  // B holds the first n updates of A's feed, pulled as usual.
  std::vector<feed::VerifiedUpdate> catchUp(int n) {
    auto updates = publish(n);
    connect();
    pump();
    EXPECT_EQ(clientSeq(), static_cast<uint64_t>(n));
    return updates;
  }
  // A peer subscribes at B's server link `link`, holding A's feed up to head.
  void subscribe(LinkId link, const feed::VerifiedUpdate& head, std::string peer_key = "") {
    client_->engine->linkUp(link, Role::kServer,
                            peer_key.empty() ? "peer-" + std::to_string(link) : peer_key);
    wire::Hello hello;
    hello.protocol_version = wire::protocolVersion();
    hello.network = kNet;
    hello.heads = {{author_->publicKey(), head.fields.seq, head.hash}};
    client_->engine->receive(link, wire::encode(hello));
    (void)fromB(link);  // B's hello in answer
  }
  // What B sent on link, decoded and removed from its outbox.
  std::vector<wire::Message> fromB(LinkId link) {
    std::vector<wire::Message> out;
    std::deque<std::pair<LinkId, Bytes>> rest;
    for (auto& [to, bytes] : client_->outbox) {
      if (to != link) {
        rest.emplace_back(to, std::move(bytes));
        continue;
      }
      auto message = wire::decode(bytes);
      EXPECT_TRUE(message.ok());
      if (message.ok()) out.push_back(std::move(message).value());
    }
    client_->outbox = std::move(rest);
    return out;
  }
  // The seqs of the updates messages among messages; other messages are counted in others.
  static std::vector<uint64_t> updateSeqs(const std::vector<wire::Message>& messages,
                                          size_t* others = nullptr) {
    std::vector<uint64_t> seqs;
    for (const wire::Message& message : messages) {
      if (const auto* updates = std::get_if<wire::Updates>(&message)) {
        for (const auto& u : updates->updates) seqs.push_back(feed::decodeHeader(u.header)->seq);
      } else if (others != nullptr) {
        ++*others;
      }
    }
    return seqs;
  }
  // Hands A's queued messages to B (link 1); B's answers stay queued.
  void deliverFromA() {
    while (!server_->outbox.empty()) {
      Bytes bytes = std::move(server_->outbox.front().second);
      server_->outbox.pop_front();
      client_->engine->receive(1, bytes);
    }
  }
  // Hands B's store outcomes to B's engine.
  void outcomesToB() {
    auto outcomes = std::move(client_->storage.outcomes);
    client_->storage.outcomes.clear();
    for (auto& [id, status] : outcomes) client_->engine->applied(id, status);
  }
  void push(const std::vector<feed::SignedUpdate>& updates) {
    client_->engine->receive(1, wire::encode(wire::Updates{updates}));
  }
  const LinkStats& linkToA() {
    stats_ = client_->engine->linkStats();
    return stats_.at(0);
  }
  std::vector<LinkStats> stats_;
};

TEST_F(LivePushTest, ANewHeadIsPushedToAPeerJustBehindWithoutHaveOrWant) {
  catchUp(3);
  publish(1);
  server_->engine->localHeadsChanged();
  std::vector<wire::Message> from_a;
  for (auto& [link, bytes] : server_->outbox) from_a.push_back(wire::decode(bytes).value());
  size_t others = 0;
  EXPECT_EQ(updateSeqs(from_a, &others), (std::vector<uint64_t>{4}));
  EXPECT_EQ(others, 0u);  // no have
  deliverFromA();
  EXPECT_TRUE(fromB(1).empty());  // no want
  pump();
  EXPECT_EQ(clientSeq(), 4u);
  EXPECT_EQ(linkToA().updates_pushed, 1u);
  EXPECT_EQ(linkToA().rejected, 0u);
  EXPECT_EQ(server_->engine->pushesSent(), 1u);
  EXPECT_FALSE(client_->engine->catchingUp());
}

// A peer that follows a feed one update at a time pulls each with a want of one (credit 1, its
// held seq stated): that want tells A where the peer is, so the next head is pushed.
TEST_F(LivePushTest, APeerThatPulledOneUpdateIsPushedTheNext) {
  catchUp(1);
  publish(1);
  server_->engine->localHeadsChanged();
  pump();  // have, a want of one, updates
  ASSERT_EQ(clientSeq(), 2u);
  EXPECT_EQ(server_->engine->pushesSent(), 0u);
  publish(1);
  server_->engine->localHeadsChanged();
  std::vector<wire::Message> from_a;
  for (auto& [link, bytes] : server_->outbox) from_a.push_back(wire::decode(bytes).value());
  size_t others = 0;
  EXPECT_EQ(updateSeqs(from_a, &others), (std::vector<uint64_t>{3}));
  EXPECT_EQ(others, 0u);  // no have
  pump();
  EXPECT_EQ(clientSeq(), 3u);
  EXPECT_EQ(server_->engine->pushesSent(), 1u);
}

TEST_F(LivePushTest, APeerFurtherBehindThanAPushIsToldWithHave) {
  catchUp(3);
  publish(kMaxPushUpdates + 1);
  server_->engine->localHeadsChanged();
  std::vector<wire::Message> from_a;
  for (auto& [link, bytes] : server_->outbox) from_a.push_back(wire::decode(bytes).value());
  ASSERT_EQ(from_a.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<wire::Have>(from_a[0]));
  pump();
  EXPECT_EQ(clientSeq(), 3 + kMaxPushUpdates + 1);
  EXPECT_EQ(server_->engine->pushesSent(), 0u);
}

TEST_F(LivePushTest, APushThatDoesNotLinkIsRefusedWithoutBlameAndItsHeadPulled) {
  catchUp(3);
  auto more = publish(3);
  push({more[2].signed_update});  // seq 6 on a head at 3
  EXPECT_EQ(clientSeq(), 3u);
  EXPECT_EQ(linkToA().pushes_unlinked, 1u);
  EXPECT_EQ(linkToA().rejected, 0u);
  EXPECT_TRUE(client_->storage.submitted_sizes.size() == 1u);  // the catch-up only
  ASSERT_EQ(client_->outbox.size(), 1u);
  auto want = wire::decode(client_->outbox.front().second);
  ASSERT_TRUE(want.ok() && std::holds_alternative<wire::Want>(*want));
  EXPECT_EQ(std::get<wire::Want>(*want).from_seq, 4u);
  pump();
  EXPECT_EQ(clientSeq(), 6u);
}

TEST_F(LivePushTest, APushAtTheLimitIsTakenAndOnePastItRefusedAndCounted) {
  catchUp(3);
  auto more = publish(static_cast<int>(kMaxPushUpdates) + 1);
  std::vector<feed::SignedUpdate> over;
  for (const auto& u : more) over.push_back(u.signed_update);
  push(over);
  EXPECT_EQ(linkToA().rejected_by_reason.at("push too large"), 1u);
  EXPECT_EQ(clientSeq(), 3u);
  over.pop_back();
  push(over);
  outcomesToB();
  EXPECT_EQ(clientSeq(), 3 + kMaxPushUpdates);
  EXPECT_EQ(linkToA().updates_pushed, kMaxPushUpdates);
  EXPECT_EQ(linkToA().rejected, 1u);
}

// Courses of about 240 KiB each (four descriptions of 60 KiB): four fit in kMaxPushBytes, five
// do not. Published at A after what it holds.
std::vector<feed::SignedUpdate> bigCourses(const crypto::SigningKey& author,
                                           testing::TestStorage& storage, int n) {
  auto head = storage.store().queries().head(author.publicKey());
  feed::FeedAppender app(author, kNet, *head);
  std::vector<feed::VerifiedUpdate> batch;
  for (int i = 0; i < n; ++i) {
    capnp::MallocMessageBuilder message;
    auto r = message.initRoot<schema::Record>().initLearningResource();
    r.setId("big/" + std::to_string(i));
    auto title = r.initTitle(1);
    title[0].setLang("en");
    title[0].setText("Big course");
    auto description = r.initDescription(4);
    for (unsigned j = 0; j < 4; ++j) {
      description[j].setLang(std::string(1, static_cast<char>('a' + j)) + "x");
      description[j].setText(std::string(60 * 1024, 'd'));
    }
    auto change = catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
    EXPECT_TRUE(change.ok());
    batch.push_back(app.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                               change->tags, change->body, 2000 + i));
  }
  EXPECT_TRUE(storage.store().writer().apply(batch).ok());
  std::vector<feed::SignedUpdate> out;
  for (const auto& u : batch) out.push_back(u.signed_update);
  return out;
}

TEST_F(LivePushTest, APushPastItsByteLimitIsRefusedAndOneWithinItTaken) {
  catchUp(3);
  auto big = bigCourses(*author_, server_->storage, 5);
  size_t bytes = 0;
  for (const auto& u : big) bytes += u.header.size() + u.signature.size() + u.body.size();
  ASSERT_GT(bytes, kMaxPushBytes);
  ASSERT_LT(bytes - big.back().body.size() - big.back().header.size(), kMaxPushBytes);
  push(big);
  EXPECT_EQ(linkToA().rejected_by_reason.at("push too large"), 1u);
  EXPECT_EQ(clientSeq(), 3u);
  big.pop_back();
  push(big);
  outcomesToB();
  EXPECT_EQ(clientSeq(), 7u);
  EXPECT_EQ(linkToA().rejected, 1u);
}

TEST_F(LivePushTest, APushOfUpdatesHeldIsADuplicateNotABlame) {
  auto held = catchUp(3);
  push({held[1].signed_update, held[2].signed_update});
  EXPECT_EQ(linkToA().duplicates, 2u);
  EXPECT_EQ(linkToA().rejected, 0u);
  EXPECT_EQ(client_->storage.submitted_sizes.size(), 1u);
}

TEST_F(LivePushTest, AForgedPushIsRefusedAsAPulledRunIs) {
  catchUp(3);
  auto more = publish(2);
  std::vector<feed::SignedUpdate> forged = {more[0].signed_update, more[1].signed_update};
  forged[1].signature[5] ^= 0x01;
  push(forged);
  EXPECT_EQ(linkToA().rejected_by_reason.at("bad signature"), 1u);
  forged = {more[0].signed_update, more[1].signed_update};
  forged[0].body.push_back(0);  // no longer the body its header signed
  push(forged);
  EXPECT_EQ(linkToA().rejected_by_reason.at("invalid update"), 1u);
  EXPECT_EQ(clientSeq(), 3u);
  EXPECT_EQ(client_->storage.submitted_sizes.size(), 1u);
}

// Relay before commit: B verified seq 4 and handed it to its writer; C (at seq 3) gets it
// pushed, and a want for it is served, while B's store still holds 3.
TEST_F(LivePushTest, AVerifiedRunIsPushedAndServedBeforeItsCommit) {
  auto held = catchUp(3);
  subscribe(3, held[2]);
  subscribe(5, held[2], "server-key");  // A's own DEALER to B: where the run comes from
  client_->storage.defer_commits = true;
  publish(1);
  server_->engine->localHeadsChanged();
  deliverFromA();
  EXPECT_TRUE(fromB(5).empty());  // A is told B holds it once B does
  EXPECT_EQ(clientSeq(), 3u);     // not committed
  EXPECT_GT(client_->engine->relayBytes(), 0u);
  EXPECT_EQ(updateSeqs(fromB(3)), (std::vector<uint64_t>{4}));
  // C asks again (as after losing the push): served from memory.
  client_->engine->receive(3, wire::encode(wire::Want{author_->publicKey(), 4, 8, false}));
  EXPECT_EQ(updateSeqs(fromB(3)), (std::vector<uint64_t>{4}));
  client_->storage.commitDeferred();
  outcomesToB();
  EXPECT_EQ(clientSeq(), 4u);
  EXPECT_EQ(client_->engine->relayBytes(), 0u);
  EXPECT_TRUE(fromB(3).empty());  // the commit announces nothing more to C
  auto to_a = fromB(5);
  ASSERT_EQ(to_a.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<wire::Have>(to_a[0]));
  EXPECT_EQ(std::get<wire::Have>(to_a[0]).head.seq, 4u);
}

// A peer that subscribes while a run waits for its commit: B's hello answer is its store's
// heads (without the run), and the run was announced before the peer was there; once the run is
// committed the peer is told (the network run's leaf that never heard of one feed).
TEST_F(LivePushTest, APeerThatSubscribesWhileARunAwaitsItsCommitIsToldOnceItIsCommitted) {
  auto held = catchUp(3);
  client_->storage.defer_commits = true;
  publish(1);
  server_->engine->localHeadsChanged();
  deliverFromA();
  ASSERT_GT(client_->engine->relayBytes(), 0u);
  subscribe(3, held[2]);
  EXPECT_TRUE(fromB(3).empty());
  client_->storage.commitDeferred();
  outcomesToB();
  ASSERT_EQ(clientSeq(), 4u);
  auto to_c = fromB(3);
  ASSERT_EQ(to_c.size(), 1u);
  ASSERT_TRUE(std::holds_alternative<wire::Have>(to_c[0]));
  EXPECT_EQ(std::get<wire::Have>(to_c[0]).head.seq, 4u);
}

// With announcements after a wake's reads (the daemon's way): B takes seq 4 from A, and C, which
// B follows as a client too, pushes B the same seq 4 in the same wake. When B announces, C is
// known to hold it: it gets a have, not the updates back; D, a few behind, gets them pushed.
TEST_F(LivePushTest, ARunANeighbourPushedInTheSameWakeIsNotPushedBackToIt) {
  client_ = std::make_unique<testing::TestNode>(dir_.file("batching"), 64, BodyFilter{},
                                                kServeBudgetBytes,
                                                /*announce_after_reads=*/true);
  client_->trust.keys.insert(author_->publicKey());
  auto held = catchUp(3);
  subscribe(3, held[2], "c-key");
  subscribe(4, held[2], "d-key");
  client_->engine->linkUp(6, Role::kClient, "c-key");  // B also follows C
  (void)fromB(6);                                      // B's hello to C
  wire::Hello from_c;
  from_c.protocol_version = wire::protocolVersion();
  from_c.network = kNet;
  from_c.heads = {{author_->publicKey(), held[2].fields.seq, held[2].hash}};
  client_->engine->receive(6, wire::encode(from_c));
  client_->storage.defer_commits = true;
  auto fourth = publish(1);
  server_->engine->localHeadsChanged();
  deliverFromA();
  client_->engine->receive(6, wire::encode(wire::Updates{{fourth[0].signed_update}}));
  EXPECT_TRUE(fromB(3).empty());  // nothing before the wake's reads are done
  client_->engine->flushAnnouncements();
  size_t others = 0;
  EXPECT_TRUE(updateSeqs(fromB(3), &others).empty());
  EXPECT_EQ(others, 1u);  // a have
  EXPECT_EQ(updateSeqs(fromB(4)), (std::vector<uint64_t>{4}));
}

// A failed commit withdraws the run: nothing of it is served or announced again until B holds
// it for real (pulled again after the store's retry wait), and then it reaches D.
TEST_F(LivePushTest, AFailedCommitWithdrawsTheRelayedRun) {
  auto held = catchUp(3);
  subscribe(3, held[2]);
  client_->storage.defer_commits = true;
  publish(1);
  server_->engine->localHeadsChanged();
  deliverFromA();
  ASSERT_EQ(updateSeqs(fromB(3)), (std::vector<uint64_t>{4}));
  client_->storage.commitDeferred(Status::IOError("disk full"));
  outcomesToB();
  EXPECT_EQ(client_->engine->relayBytes(), 0u);
  EXPECT_EQ(client_->engine->storeFailures(), 1u);
  client_->engine->receive(3, wire::encode(wire::Want{author_->publicKey(), 4, 8, false}));
  EXPECT_TRUE(fromB(3).empty());
  subscribe(4, held[2]);
  client_->engine->localHeadsChanged();
  EXPECT_TRUE(fromB(3).empty());
  EXPECT_TRUE(fromB(4).empty());
  // The store works again: B pulls seq 4 after its retry wait and pushes it to D.
  client_->storage.defer_commits = false;
  client_->now_ms += 10'000;
  server_->now_ms += 10'000;
  client_->engine->tick();
  for (int round = 0; round < 4; ++round) {
    for (auto& message : fromB(1)) server_->engine->receive(2, wire::encode(message));
    deliverFromA();
    outcomesToB();
  }
  EXPECT_EQ(clientSeq(), 4u);
  EXPECT_EQ(updateSeqs(fromB(4)), (std::vector<uint64_t>{4}));
  EXPECT_TRUE(updateSeqs(fromB(3)).empty());  // C has it from the push before
}

}  // namespace
}  // namespace eichub::sync
