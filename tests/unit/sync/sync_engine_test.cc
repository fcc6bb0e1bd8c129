// SyncEngine tests: two engines wired in-process (tests/unit/sync/sync_harness.h).
#include "federation/sync/sync_engine.h"

#include <utility>
#include <variant>

#include <gtest/gtest.h>

#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync {
namespace {

using testing::kNet;
using testing::resourceBody;
using testing::SyncEngineTest;

TEST_F(SyncEngineTest, CatchUpStaysWithinCreditAndConverges) {
  publish(500);
  connect();
  pump();
  EXPECT_EQ(clientSeq(), 500u);
  EXPECT_EQ(*client_->storage.store().queries().digest(),
            *server_->storage.store().queries().digest());
  for (size_t n : sent_per_message_) EXPECT_LE(n, 64u);  // never more than one want's credit
  EXPECT_FALSE(client_->engine->catchingUp());
  EXPECT_EQ(client_->engine->pendingUpdates(), 0u);
}

// Issue 17, finding 4: a server whose byte budget holds a few updates still serves a whole
// catch-up, without one re-ask timeout: the client restates its want as it reads each run and
// the server goes on where its budget stopped it.
TEST_F(SyncEngineTest, AFeedFarLargerThanTheServeBudgetSyncsWithoutATimeout) {
  constexpr uint64_t kBudgetBytes = 2048;  // a handful of these updates
  server_ = std::make_unique<testing::TestNode>(dir_.file("small-budget"), 64, BodyFilter{},
                                                kBudgetBytes);
  server_->trust.keys.insert(author_->publicKey());
  publish(500);
  connect();
  pump();  // the clocks never move: no want times out
  EXPECT_EQ(clientSeq(), 500u);
  EXPECT_EQ(*client_->storage.store().queries().digest(),
            *server_->storage.store().queries().digest());
  EXPECT_GT(server_->engine->refusedWants().at("byte budget full"), 10u);
  EXPECT_EQ(client_->engine->sourceSwitches(), 0u);
  EXPECT_FALSE(client_->engine->catchingUp());
}

// Case 37: batches the client's own store refused (disk full) are asked for again, and the
// server serves that re-ask although it covers updates it sent moments ago.
TEST_F(SyncEngineTest, BatchesTheStoreRefusedAreAskedAgainAndServed) {
  publish(200);
  client_->storage.refuse_submits = 3;
  connect();
  pump();
  ASSERT_LT(clientSeq(), 200u);
  int64_t waited_ms = 0;
  while (clientSeq() < 200u && waited_ms < 20'000) {
    waited_ms += 250;
    client_->now_ms += 250;
    server_->now_ms += 250;
    client_->engine->tick();
    server_->engine->tick();
    pump();
  }
  EXPECT_EQ(clientSeq(), 200u);
  // A retry wait per refusal (the re-ask gap, 2.5 s, and a margin): no re-ask dropped as too
  // soon, so no want timeout and no source avoided as stalled on top of it.
  EXPECT_LE(waited_ms, 3 * 3'000);
  EXPECT_EQ(server_->engine->refusedWants().count("re-ask too soon"), 0u);
}

TEST_F(SyncEngineTest, LiveHaveTriggersAPull) {
  publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  publish(2);
  server_->engine->localHeadsChanged();
  pump();
  EXPECT_EQ(clientSeq(), 5u);
}

TEST_F(SyncEngineTest, UntrustedAuthorIsNotPulled) {
  client_->trust.keys.clear();
  publish(10);
  connect();
  pump();
  EXPECT_EQ(clientSeq(), 0u);
}

// An author admitted while the only peer announcing its feed is throttled (case 6: that peer
// had pushed the author's updates before the admission, and each refused run counted against
// it): nothing is asked while it is throttled, and the feed is pulled from it once the
// throttle ends, though it announces nothing new.
TEST_F(SyncEngineTest, AFeedAdmittedWhileItsOnlySourceIsThrottledIsPulledAfterTheThrottle) {
  client_->trust.keys.clear();
  publish(300);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 0u);
  const Bytes garbage = {1, 2, 3};
  for (int i = 0; i < 64; ++i) client_->engine->receive(1, garbage);  // reject_limit
  ASSERT_TRUE(client_->engine->linkStats().at(0).throttled);
  client_->trust.keys.insert(author_->publicKey());
  client_->engine->trustChanged();
  pump();
  EXPECT_EQ(clientSeq(), 0u);  // nobody to ask while the link is throttled
  client_->now_ms += 30'001;   // throttle_ms
  client_->engine->tick();
  pump();
  EXPECT_EQ(clientSeq(), 300u);
}

// Issue 17, finding 3: a throttled link's payload is dropped, but not its announcements, so
// that its feeds resume once the throttle ends.
TEST_F(SyncEngineTest, AThrottledLinksHaveIsKeptAndPulledAfterTheThrottle) {
  publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  for (int i = 0; i < 64; ++i) client_->engine->receive(1, Bytes{1, 2, 3});  // reject_limit
  ASSERT_TRUE(client_->engine->linkStats().at(0).throttled);
  publish(2);
  server_->engine->localHeadsChanged();
  pump();
  EXPECT_EQ(clientSeq(), 3u);  // nothing asked of a throttled link
  EXPECT_EQ(client_->engine->linkStats().at(0).rejected, 64u);
  client_->now_ms += 30'001;  // throttle_ms
  client_->engine->tick();
  pump();
  EXPECT_EQ(clientSeq(), 5u);
}

// Issue 17, finding 2: a client link takes a server's hello (up to 90,000 heads) only in answer
// to ours.
TEST_F(SyncEngineTest, AHelloTheClientDidNotAskForIsRejected) {
  publish(2);
  connect();
  pump();
  wire::Hello flood;
  flood.protocol_version = wire::protocolVersion();
  flood.network = kNet;
  PublicKey stranger{};
  stranger[0] = 0x42;
  flood.heads.push_back({stranger, 9, {}});
  client_->engine->receive(1, wire::encode(flood));
  EXPECT_EQ(client_->engine->linkStats().at(0).rejected_by_reason["unsolicited hello"], 1u);
  auto heads = client_->engine->peerHeads().value();
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].heads.size(), 1u);  // the author's feed only
}

TEST_F(SyncEngineTest, PeerHeadsTrackWhatTheServerAnnouncedAndSinceWhenItIsAhead) {
  publish(5);
  connect();
  auto before = client_->engine->peerHeads().value();
  ASSERT_EQ(before.size(), 1u);  // client links only
  EXPECT_EQ(before[0].peer_key, "server-key");
  EXPECT_FALSE(before[0].hello_received);
  EXPECT_TRUE(before[0].heads.empty());
  pump();
  auto synced = client_->engine->peerHeads().value();
  ASSERT_TRUE(synced[0].hello_received);
  ASSERT_EQ(synced[0].heads.size(), 1u);
  EXPECT_EQ(synced[0].heads[0].seq, 5u);
  EXPECT_EQ(synced[0].heads[0].accepted_seq, 5u);
  EXPECT_EQ(synced[0].heads[0].ahead_since_ms, 0);  // nothing this node lacks

  // The server announces seq 8; its updates are not delivered: the peer is ahead from the first
  // call that sees it, and stays so from that time.
  client_->outbox.clear();
  client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), 8, {}}}));
  client_->now_ms = 2000;
  auto noticed = client_->engine->peerHeads().value();
  EXPECT_EQ(noticed[0].heads[0].ahead_since_ms, 2000);
  client_->now_ms = 5000;
  auto ahead = client_->engine->peerHeads().value();
  EXPECT_EQ(ahead[0].heads[0].seq, 8u);
  EXPECT_EQ(ahead[0].heads[0].ahead_since_ms, 2000);
  // An author this node does not accept is never "ahead".
  client_->trust.keys.clear();
  auto refused = client_->engine->peerHeads().value();
  EXPECT_EQ(refused[0].heads[0].accepted_seq, 0u);
  EXPECT_EQ(refused[0].heads[0].ahead_since_ms, 0);

  client_->engine->linkDown(1);
  auto down = client_->engine->peerHeads().value();
  EXPECT_FALSE(down[0].up);
  EXPECT_FALSE(down[0].hello_received);
  EXPECT_TRUE(down[0].heads.empty());
}

// A malformed message is a rejection; unasked updates that do not link to what the client
// holds (seq 4 on a head at 2) are a push refused without blame: counted, stored nowhere.
TEST_F(SyncEngineTest, MalformedMessagesAreRejectedAndAnUnlinkedPushIsRefused) {
  publish(2);
  connect();
  pump();
  client_->engine->receive(1, Bytes{1, 2, 3});
  wire::Updates unlinked;
  unlinked.updates.push_back(publish(2).back().signed_update);
  client_->engine->receive(1, wire::encode(unlinked));
  auto stats = client_->engine->linkStats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].rejected_by_reason["malformed message"], 1u);
  EXPECT_EQ(stats[0].rejected, 1u);
  EXPECT_EQ(stats[0].pushes_unlinked, 1u);
  EXPECT_EQ(clientSeq(), 2u);
}

TEST_F(SyncEngineTest, ForgedUpdateInTheMiddleOfABatchStoresNothing) {
  auto updates = publish(5);
  connect();
  // Ask for the feed, then answer the want ourselves with a tampered run.
  client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), 5, updates[4].hash}}));
  client_->outbox.clear();
  wire::Updates forged;
  for (const auto& u : updates) forged.updates.push_back(u.signed_update);
  forged.updates[2].header[forged.updates[2].header.size() - 9] ^= 0x01;  // inside the header
  client_->engine->receive(1, wire::encode(forged));
  EXPECT_EQ(clientSeq(), 0u);
  auto stats = client_->engine->linkStats();
  EXPECT_EQ(stats[0].rejected, 1u);
}

TEST_F(SyncEngineTest, ThrottlesALinkThatKeepsSendingGarbage) {
  connect();
  bool accepted = true;
  for (int i = 0; i < 64 && accepted; ++i) accepted = client_->engine->receive(1, Bytes{0xff});
  EXPECT_FALSE(accepted);
  EXPECT_TRUE(client_->engine->linkStats()[0].throttled);
  client_->now_ms += 60'000;  // throttling ends
  EXPECT_TRUE(client_->engine->receive(1, Bytes{0xff}));
}

TEST_F(SyncEngineTest, WantFromAClientThatNeverSaidHelloIsRejected) {
  publish(3);
  server_->engine->linkUp(2, Role::kServer, "client-key");
  server_->engine->receive(2, wire::encode(wire::Want{author_->publicKey(), 1, 10}));
  EXPECT_TRUE(server_->outbox.empty());
  EXPECT_EQ(server_->engine->linkStats()[0].rejected_by_reason["want before hello"], 1u);
}

TEST_F(SyncEngineTest, AConflictingHeaderBecomesAForkProofAndFreezesTheFeed) {
  publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  // The same author signs a different seq 3 (a fork), which the server offers again.
  auto head2 = client_->storage.store().queries().readFeed(author_->publicKey(), 2, 2, 1);
  ASSERT_TRUE(head2.ok());
  auto second = feed::verifyUpdate((*head2)[0], kNet);
  feed::FeedAppender app(*author_, kNet, feed::headAfter(*second));
  Bytes body = resourceBody(99);
  auto change = catalog::checkBody(body);
  feed::VerifiedUpdate other = app.append(feed::Op::UPSERT, catalog::kindCode(change->kind),
                                          change->id, change->tags, body, 5000);
  client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), 4, other.hash}}));
  client_->outbox.clear();
  wire::Updates conflicting;
  conflicting.updates.push_back(other.signed_update);
  client_->engine->receive(1, wire::encode(conflicting));
  EXPECT_TRUE(client_->storage.frozen.count(author_->publicKey()));
}

// A run re-sent from below our head (cases 5 and 11): what we hold is the same header (by its
// hash) and is dropped and counted as a duplicate; the rest is applied.
TEST_F(SyncEngineTest, ARunResentFromBelowTheHeadCountsWhatWeHoldAsDuplicates) {
  publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  publish(2);
  auto head = server_->storage.store().queries().head(author_->publicKey());
  client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), 5, head->hash}}));
  client_->outbox.clear();  // the want for 4..5 is answered below with a run from seq 2
  auto run = server_->storage.store().queries().readFeed(author_->publicKey(), 2, 5, 4);
  ASSERT_TRUE(run.ok());
  client_->engine->receive(1, wire::encode(wire::Updates{*run}));
  pump();
  EXPECT_EQ(clientSeq(), 5u);
  EXPECT_EQ(client_->engine->linkStats().at(0).duplicates, 2u);  // seqs 2 and 3
  EXPECT_EQ(client_->engine->linkStats().at(0).rejected, 0u);
  EXPECT_FALSE(client_->storage.frozen.count(author_->publicKey()));
}

// Split view at equal heads (case 12b): no pull ever compares them; the announced head's hash
// differs from ours, so the client asks for the server's header there and builds the proof.
TEST_F(SyncEngineTest, AnEqualHeadWithAnotherHashIsProbedAndBecomesAForkProof) {
  publish(2);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 2u);
  auto head = client_->storage.store().queries().head(author_->publicKey());
  feed::FeedAppender app(*author_, kNet, *head);
  Bytes body = resourceBody(77);
  auto change = catalog::checkBody(body);
  feed::VerifiedUpdate mine = app.append(feed::Op::UPSERT, catalog::kindCode(change->kind),
                                         change->id, change->tags, body, 4000);
  ASSERT_TRUE(client_->storage.store().writer().apply({mine}).ok());  // the client's branch: X3
  publish(1);                                                         // the server's branch: Y3
  server_->engine->localHeadsChanged();
  pump();
  EXPECT_EQ(client_->engine->forkProbes(), 1u);
  EXPECT_TRUE(client_->storage.frozen.count(author_->publicKey()));
  EXPECT_EQ(clientSeq(), 3u);  // frozen, not overwritten
}

// Case 12c in its degenerate form: one signed update h+1 whose prev is not the hash of the
// held h, every header before it equal. It conflicts with the held chain by itself, so (h+1, h)
// is the proof: the feed freezes after h and the proof goes to every peer.
TEST_F(SyncEngineTest, ANextUpdateThatDoesNotLinkToOurHeadIsAForkProof) {
  publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  feed::Head elsewhere = client_->storage.store().queries().head(author_->publicKey()).value();
  elsewhere.hash[0] ^= 0x01;  // a seq 3 nobody holds
  feed::FeedAppender app(*author_, kNet, elsewhere);
  Bytes body = resourceBody(50);
  auto change = catalog::checkBody(body);
  feed::VerifiedUpdate next = app.append(feed::Op::UPSERT, catalog::kindCode(change->kind),
                                         change->id, change->tags, body, 5000);
  client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), 4, next.hash}}));
  client_->outbox.clear();  // the want of seq 4, answered below by hand
  wire::Updates run;
  run.updates.push_back(next.signed_update);
  client_->engine->receive(1, wire::encode(run));

  ASSERT_TRUE(client_->storage.frozen.count(author_->publicKey()));
  ASSERT_EQ(client_->storage.proofs.size(), 1u);
  const wire::ForkProof proof = client_->storage.proofs[0];
  EXPECT_EQ(proof.first.header, next.signed_update.header);
  EXPECT_EQ(
      proof.second.header,
      client_->storage.store().queries().readFeed(author_->publicKey(), 3, 3, 1).value()[0].header);
  EXPECT_EQ(clientSeq(), 3u);
  EXPECT_EQ(client_->engine->linkStats()[0].rejected_by_reason["broken chain"], 1u);
  size_t proofs_sent = 0;
  for (const auto& [link, bytes] : client_->outbox) {
    auto message = wire::decode(bytes);
    if (message.ok() && std::holds_alternative<wire::ForkProof>(*message)) ++proofs_sent;
  }
  EXPECT_EQ(proofs_sent, 1u);  // relayed to the only peer
  // A node that holds the feed judges the proof alone, as a relayed one.
  server_->engine->receive(2, wire::encode(proof));
  EXPECT_TRUE(server_->storage.frozen.count(author_->publicKey()));
}

TEST_F(SyncEngineTest, AProofOfTwoHeadersThatDoLinkIsRefused) {
  auto updates = publish(2);
  connect();
  pump();
  wire::ForkProof linked{
      {updates[1].signed_update.header, updates[1].signed_update.signature, {}, {}},
      {updates[0].signed_update.header, updates[0].signed_update.signature, {}, {}}};
  client_->engine->receive(1, wire::encode(linked));
  EXPECT_FALSE(client_->storage.frozen.count(author_->publicKey()));
  EXPECT_EQ(client_->engine->linkStats()[0].rejected_by_reason["invalid fork proof"], 1u);
}

// Case 25: the session's identity is the transport key ZAP admitted; a hello claiming another
// node id than that key's peer card is refused, answered with bye, and the link gets nothing.
TEST_F(SyncEngineTest, AHelloClaimingAnotherNodeIdThanItsTransportKeyIsRefused) {
  publish(2);
  PublicKey card_node_id{};
  card_node_id[0] = 7;  // the client's hello claims the zero id
  SyncOptions options;
  options.network = kNet;
  options.identity_matches = [&](const std::string& peer_key, const PublicKey& node_id) {
    return peer_key == "client-key" && node_id == card_node_id;
  };
  std::vector<Bytes> sent;
  SyncEngine server(
      options, server_->storage, server_->trust,
      [&](LinkId, Bytes bytes) { sent.push_back(bytes); }, [] { return int64_t{1000}; });
  server.linkUp(2, Role::kServer, "client-key");
  client_->engine->linkUp(1, Role::kClient, "server-key");
  for (const auto& [link, bytes] : client_->outbox) server.receive(2, bytes);
  server.receive(2, wire::encode(wire::Want{author_->publicKey(), 1, 10}));
  auto stats = server.linkStats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].rejected_by_reason["identity_mismatch"], 1u);
  EXPECT_EQ(stats[0].rejected_by_reason["want before hello"], 1u);
  EXPECT_EQ(stats[0].updates_sent, 0u);
  ASSERT_EQ(sent.size(), 1u);
  auto reply = wire::decode(sent[0]);
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(std::holds_alternative<wire::Bye>(*reply));
}

// A pull whose source stalls moves to another peer only if that peer has what is still
// missing: a peer that announced less than the pull already holds is no source, and the
// stalled one, the only peer with the data, is asked again. (Before, the pull moved to the
// lagging peer, asked it for nothing, and never asked anybody again.)
TEST_F(SyncEngineTest, AStalledSourceIsAskedAgainWhenTheOtherPeerHasLessThanWeHold) {
  auto published = publish(300);
  connect();
  client_->engine->linkUp(3, Role::kClient, "lagging-key");
  bool server_stalls = true;  // after the first want, the server's updates are lost
  // Delivers messages between the client's link 1 and the server until quiet. What the client
  // sends on link 3 (the lagging peer) is dropped.
  auto exchange = [&] {
    for (int round = 0; round < 1000; ++round) {
      bool moved = false;
      for (; !client_->outbox.empty(); client_->outbox.pop_front(), moved = true) {
        if (client_->outbox.front().first == 1) {
          server_->engine->receive(2, client_->outbox.front().second);
        }
      }
      for (; !server_->outbox.empty(); server_->outbox.pop_front(), moved = true) {
        const Bytes& bytes = server_->outbox.front().second;
        auto message = wire::decode(bytes);
        const bool updates = message.ok() && std::holds_alternative<wire::Updates>(*message);
        if (!(updates && server_stalls && clientSeq() >= 64)) client_->engine->receive(1, bytes);
      }
      for (auto& [id, status] : std::exchange(client_->storage.outcomes, {})) {
        client_->engine->applied(id, status);
        moved = true;
      }
      if (!moved) return;
    }
    FAIL() << "sync did not settle";
  };
  exchange();
  ASSERT_EQ(clientSeq(), 64u);  // one want's credit; the answer to the second is lost
  const PublicKey author = author_->publicKey();
  client_->engine->receive(
      3, wire::encode(
             wire::Hello{wire::protocolVersion(), kNet, {}, {{author, 10, published[9].hash}}}));
  server_stalls = false;
  for (int second = 0; second < 60 && clientSeq() < 300u; ++second) {
    client_->now_ms += 1000;
    server_->now_ms += 1000;
    client_->engine->tick();
    exchange();
  }
  EXPECT_EQ(clientSeq(), 300u);
  EXPECT_EQ(client_->engine->sourceSwitches(), 0u);
  EXPECT_FALSE(client_->engine->catchingUp());
}

}  // namespace
}  // namespace eichub::sync
