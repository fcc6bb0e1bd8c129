// Feed format 2 on the receive path: every link of a run is checked and only the signature that
// ends it is verified, which vouches for every header and signature before it. Each shape a run
// can take (junk in the middle, a bad end, cut short by a credit window or a restart) is here.
#include <algorithm>
#include <variant>

#include <gtest/gtest.h>

#include "federation/sync/sync_engine.h"
#include "tests/faults/randomized_signer.h"
#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync {
namespace {

using testing::kNet;
using testing::SyncEngineTest;

// A signature of the right length that the author never made.
Bytes junkSignature() { return Bytes(kSignatureBytes, 0x5a); }

class RunVerificationTest : public SyncEngineTest {
 protected:
  // Makes the client pull author_'s feed up to seq (a have from the server), and drops the want
  // it sends: the test answers it with the run it builds.
  void askFor(uint64_t seq, const Hash32& hash) {
    client_->engine->receive(1, wire::encode(wire::Have{{author_->publicKey(), seq, hash}}));
    client_->outbox.clear();
  }
  void deliver(const std::vector<feed::VerifiedUpdate>& updates) {
    wire::Updates run;
    for (const auto& u : updates) run.updates.push_back(u.signed_update);
    client_->engine->receive(1, wire::encode(run));
    pump();
  }
  uint64_t rejected(const std::string& reason) {
    return client_->engine->linkStats().at(0).rejected_by_reason[reason];
  }
};

TEST_F(RunVerificationTest, AJunkSignatureInTheMiddleBreaksTheChain) {
  auto updates = publish(5);
  connect();
  askFor(5, updates[4].hash);
  updates[2].signed_update.signature = junkSignature();
  deliver(updates);
  EXPECT_EQ(clientSeq(), 0u);
  EXPECT_EQ(rejected("broken chain"), 1u);
  EXPECT_EQ(rejected("bad signature"), 0u);
}

TEST_F(RunVerificationTest, ARunThatLinksButEndsInABadSignatureIsRefusedWhole) {
  auto updates = publish(5);
  connect();
  askFor(5, updates[4].hash);
  updates[4].signed_update.signature = junkSignature();
  deliver(updates);
  EXPECT_EQ(clientSeq(), 0u);  // not even seqs 1-4, whose own signatures are good
  EXPECT_EQ(rejected("bad signature"), 1u);
}

TEST_F(RunVerificationTest, ASignatureByAnotherKeyAtTheEndIsRefusedWhole) {
  auto updates = publish(3);
  connect();
  askFor(3, updates[2].hash);
  auto other = crypto::SigningKey::generate();
  ASSERT_TRUE(other.ok());
  updates[2].signed_update.signature = other->sign(updates[2].signed_update.header);
  deliver(updates);
  EXPECT_EQ(clientSeq(), 0u);
  EXPECT_EQ(rejected("bad signature"), 1u);
}

// A run cut short (here by the sender: two messages, as a credit window or a second source
// would) is verified at its own end, and the next one links to what the first left.
TEST_F(RunVerificationTest, ARunCutShortIsVerifiedAtItsOwnEnd) {
  auto updates = publish(6);
  connect();
  askFor(6, updates[5].hash);
  deliver({updates.begin(), updates.begin() + 3});
  EXPECT_EQ(clientSeq(), 3u);
  // The second part ends in a bad signature: refused whole, the first part stays.
  auto tampered = std::vector<feed::VerifiedUpdate>(updates.begin() + 3, updates.end());
  tampered.back().signed_update.signature = junkSignature();
  deliver(tampered);
  EXPECT_EQ(clientSeq(), 3u);
  EXPECT_EQ(rejected("bad signature"), 1u);
}

// After a restart (a new engine over the same store) a run continues the stored head.
TEST_F(RunVerificationTest, ARunAfterARestartLinksToTheStoredHead) {
  auto updates = publish(5);
  connect();
  askFor(5, updates[4].hash);
  deliver({updates.begin(), updates.begin() + 2});
  ASSERT_EQ(clientSeq(), 2u);
  client_ = std::make_unique<testing::TestNode>(dir_.file("client"), 64);
  client_->trust.keys.insert(author_->publicKey());
  client_->engine->linkUp(1, Role::kClient, "server-key");
  client_->outbox.clear();
  askFor(5, updates[4].hash);
  // A run from seq 4 skips seq 3: it does not link to the stored head.
  deliver({updates.begin() + 3, updates.end()});
  EXPECT_EQ(clientSeq(), 2u);
  EXPECT_EQ(rejected("broken chain"), 1u);
  askFor(5, updates[4].hash);
  deliver({updates.begin() + 2, updates.end()});
  EXPECT_EQ(clientSeq(), 5u);
}

// A whole catch-up under a small credit window: every message's run is verified at its end and
// the client converges on the server's feed.
TEST_F(RunVerificationTest, ACatchUpInCreditWindowsConverges) {
  publish(300);
  connect();
  pump();
  EXPECT_EQ(clientSeq(), 300u);
  EXPECT_GT(sent_per_message_.size(), 300u / 64);
  EXPECT_EQ(*client_->storage.store().queries().digest(),
            *server_->storage.store().queries().digest());
}

// A peer still on feed format 1 is refused at hello, with both versions named.
TEST_F(RunVerificationTest, AFormatOnePeerIsRefusedAtHelloWithBothVersionsNamed) {
  server_->engine->linkUp(2, Role::kServer, "client-key");
  wire::Hello hello;
  hello.protocol_version = 1;
  hello.network = kNet;
  server_->engine->receive(2, wire::encode(hello));
  EXPECT_EQ(server_->engine->linkStats().at(0).rejected_by_reason["protocol version"], 1u);
  ASSERT_FALSE(server_->outbox.empty());
  auto answer = wire::decode(server_->outbox.back().second);
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(std::holds_alternative<wire::Bye>(*answer));
  ASSERT_EQ(server_->events.size(), 1u);
  EXPECT_NE(server_->events[0].find("peer_format=1 our_format=2"), std::string::npos)
      << server_->events[0];
}

// Case 5 in format 2: our head's header under a second valid signature (Ed25519 signatures are
// not unique: RandomizedSigner) is a duplicate, not a fork, and the chain goes on from the signed
// header we hold.
TEST_F(RunVerificationTest, OurHeadUnderASecondValidSignatureIsADuplicateNotAFork) {
  auto updates = publish(3);
  connect();
  pump();
  ASSERT_EQ(clientSeq(), 3u);
  auto more = publish(1);
  ASSERT_TRUE(author_->savePem(dir_.file("author.pem")).ok());
  auto signer = ::eichub::testing::RandomizedSigner::loadPem(dir_.file("author.pem"));
  ASSERT_TRUE(signer.ok()) << signer.status().toString();
  std::vector<feed::VerifiedUpdate> resent = updates;
  resent[2].signed_update.signature = signer->sign(resent[2].signed_update.header);
  ASSERT_NE(resent[2].signed_update.signature, updates[2].signed_update.signature);
  askFor(4, more[0].hash);
  wire::Updates run;
  for (const auto& u : resent) run.updates.push_back(u.signed_update);
  client_->engine->receive(1, wire::encode(run));
  EXPECT_EQ(client_->engine->linkStats().at(0).duplicates, 3u);
  EXPECT_EQ(client_->engine->linkStats().at(0).rejected, 0u);
  EXPECT_FALSE(client_->storage.frozen.count(author_->publicKey()));
  deliver(more);
  EXPECT_EQ(clientSeq(), 4u);
  EXPECT_FALSE(client_->storage.frozen.count(author_->publicKey()));
}

}  // namespace
}  // namespace eichub::sync
