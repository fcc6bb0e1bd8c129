// Trust attacks against a real daemon (docs/reliability.md cases 6-12): raw peers with real keys
// push updates that the trust rules must refuse. Each case checks that node A refuses the update,
// counts it under its reason, and keeps the digest of the honest run; an equivocating author
// is frozen on two nodes with one fork proof.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "federation/wire/messages.h"
#include "node/home/home.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/multinode/trust_feeds.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

crypto::SigningKey newKey() { return crypto::SigningKey::generate().value(); }

// A script serving feeds honestly and, after its hello, pushing updates nobody asked for.
ServeScript serveAndPush(std::vector<FeedUpdates> feeds, std::vector<feed::SignedUpdate> push) {
  return [feeds, push](const std::string&, const wire::Message& message) {
    std::vector<Bytes> out = honestAnswer(kTestNetwork, feeds, message);
    if (std::holds_alternative<wire::Hello>(message)) {
      for (const feed::SignedUpdate& update : push)
        out.push_back(wire::encode(wire::Updates{{update}}));
    }
    return out;
  };
}

class TrustAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<NodeProcess>(dir_.file("a"), "a cluster", "UKE42");
    a_->start();
    a_key_ = transportKeyOf(*a_);
    a_->ok({"trust", "root", toHex(root_.publicKey())});
    // The network authority's feed: a member, and a member removed after its seq 1.
    FeedWriter root(root_, kTestNetwork, now_);
    root.trustRecord(trust::Membership{member_.publicKey(), "member", "UKE42"});
    root.trustRecord(trust::Membership{removed_.publicKey(), "removed", "UKE42"});
    root.trustRecord(trust::Removal{removed_.publicKey(), 1, false, "left the network"});
    root_feed_ = root.updates();
    // A delegates three vendors: one in good standing, one expired, one revoked after seq 1.
    a_->ok({"vendor", "admit", toHex(vendor_.publicKey()), "--name", "Acme", "--kinds",
            "LearningResource,Provider", "--id-prefix", "acme/", "--expires", "2099-12-31"});
    a_->ok({"vendor", "admit", toHex(expired_.publicKey()), "--name", "Old", "--kinds",
            "LearningResource", "--id-prefix", "old/", "--expires", "2020-01-01"});
    a_->ok({"vendor", "admit", toHex(revoked_.publicKey()), "--name", "Leaky", "--kinds",
            "LearningResource", "--id-prefix", "leaky/"});
    a_->ok({"vendor", "revoke", toHex(revoked_.publicKey()), "--after-seq", "1", "--reason",
            "key leaked"});
    // The honest run: every feed's valid prefix, served by an honest peer.
    honest_ = {root_feed_, prefix(member_, "m/"), prefix(removed_, "r/"), prefix(vendor_, "acme/"),
               prefix(revoked_, "leaky/")};
    honest_peer_ = startRaw(serveAndPush(honest_, {}));
    ASSERT_TRUE(waitFor(
        [&] {
          for (const FeedUpdates& feed : honest_) {
            if (a_->seqOf(toHex(headOf(feed).author)) != feed.size()) return false;
          }
          return true;
        },
        seconds(20)))
        << "A did not take the honest feeds; see " << a_->logFile();
    honest_digest_ = a_->digest();
  }

  // One update, seq 1, of author: an in-scope record.
  FeedUpdates prefix(const crypto::SigningKey& author, const std::string& id_prefix) {
    FeedWriter writer(author, kTestNetwork, now_);
    writer.record(catalog::Kind::LEARNING_RESOURCE, id_prefix + "0");
    return writer.updates();
  }

  std::unique_ptr<RawPeer> startRaw(ServeScript script) {
    auto raw =
        std::make_unique<RawPeer>(newKey(), std::set<std::string>{a_key_}, std::move(script));
    a_->ok({"peer", "add", raw->card()});
    return raw;
  }

  // A fresh peer pushes updates; A must count reason for them and keep the honest digest.
  void expectRefused(const std::vector<feed::SignedUpdate>& push, const std::string& reason) {
    auto raw = startRaw(serveAndPush({}, push));
    const std::string raw_key = raw->transportKeys().public_z85;
    EXPECT_TRUE(
        waitFor([&] { return rejectedFor(a_->daemonStatus(), raw_key, reason) >= 1; }, seconds(20)))
        << "no " << reason << " counted: " << a_->daemonStatus()["links"].dump();
    EXPECT_EQ(a_->digest(), honest_digest_) << reason;
  }

  // The update at seq 2 of author's feed after the honest seq 1 (same bytes as prefix()).
  feed::SignedUpdate second(const crypto::SigningKey& author, const std::string& first_prefix,
                            catalog::Kind kind, const std::string& id) {
    FeedWriter writer(author, kTestNetwork, now_);
    writer.record(catalog::Kind::LEARNING_RESOURCE, first_prefix + "0");
    return writer.record(kind, id);
  }

  TempDir dir_;
  int64_t now_ = systemMs();
  crypto::SigningKey root_ = newKey();
  crypto::SigningKey member_ = newKey();
  crypto::SigningKey removed_ = newKey();
  crypto::SigningKey vendor_ = newKey();
  crypto::SigningKey expired_ = newKey();
  crypto::SigningKey revoked_ = newKey();
  std::unique_ptr<NodeProcess> a_;
  std::string a_key_;
  FeedUpdates root_feed_;
  std::vector<FeedUpdates> honest_;
  std::unique_ptr<RawPeer> honest_peer_;
  std::string honest_digest_;
};

TEST_F(TrustAttackTest, VendorOutsideItsIdPrefix) {
  expectRefused({second(vendor_, "acme/", catalog::Kind::LEARNING_RESOURCE, "beta/1")},
                "out_of_scope_prefix");
}

TEST_F(TrustAttackTest, VendorOutsideItsKinds) {
  expectRefused({second(vendor_, "acme/", catalog::Kind::SKILL, "acme/skill")},
                "out_of_scope_kind");
}

TEST_F(TrustAttackTest, VendorAfterItsExpiry) {
  // Signed now, after the delegation's expiry: refused by the signed times alone.
  expectRefused(prefix(expired_, "old/"), "expired");
}

TEST_F(TrustAttackTest, VendorAfterItsRevocationCutoff) {
  expectRefused({second(revoked_, "leaky/", catalog::Kind::LEARNING_RESOURCE, "leaky/1")},
                "after_cutoff");
}

TEST_F(TrustAttackTest, RemovedNodeStillPublishing) {
  expectRefused({second(removed_, "r/", catalog::Kind::LEARNING_RESOURCE, "r/1")}, "after_cutoff");
}

TEST_F(TrustAttackTest, KeyNobodyAdmitted) {
  crypto::SigningKey stranger = newKey();
  expectRefused(prefix(stranger, "x/"), "unknown_author");
}

TEST_F(TrustAttackTest, DelegationSignedByANonMember) {
  crypto::SigningKey stranger = newKey();
  crypto::SigningKey their_vendor = newKey();
  FeedWriter writer(stranger, kTestNetwork, now_);
  writer.trustRecord(trust::Delegation{their_vendor.publicKey(),
                                       "theirs",
                                       {catalog::kindCode(catalog::Kind::LEARNING_RESOURCE)},
                                       "",
                                       0});
  expectRefused(writer.updates(), "unknown_author");
  // The delegation counted for nothing: its vendor is as unknown as before.
  expectRefused(prefix(their_vendor, "t/"), "unknown_author");
}

TEST_F(TrustAttackTest, MemberAdmittingMembers) {
  FeedWriter writer(member_, kTestNetwork, now_);
  writer.record(catalog::Kind::LEARNING_RESOURCE, "m/0");
  crypto::SigningKey friend_key = newKey();
  expectRefused({writer.trustRecord(trust::Membership{friend_key.publicKey(), "friend", ""})},
                "not_authorized");
}

TEST_F(TrustAttackTest, RotationNotSignedByTheNewKey) {
  crypto::SigningKey thief = newKey();
  FeedWriter writer(vendor_, kTestNetwork, now_);
  writer.record(catalog::Kind::LEARNING_RESOURCE, "acme/0");
  // The thief claims the vendor's role for a key whose holder never agreed.
  trust::Rotation claimed = rotation(kTestNetwork, vendor_, thief);
  claimed.new_key = newKey().publicKey();  // thief's signature, someone else's key
  expectRefused({writer.trustRecord(claimed)}, "bad_trust_record");
}

TEST_F(TrustAttackTest, RotationNotSignedByTheOldKey) {
  crypto::SigningKey thief = newKey();
  // The header names the vendor as author, but only the thief signed it.
  FeedWriter honest(vendor_, kTestNetwork, now_);
  honest.record(catalog::Kind::LEARNING_RESOURCE, "acme/0");
  feed::SignedUpdate forged = honest.trustRecord(rotation(kTestNetwork, vendor_, thief));
  forged.signature = thief.sign(forged.header);
  expectRefused({forged}, "bad signature");
}

// The vendor rotates; an update its old key signs after the rotation record arrives in the
// same run, before the rotation is known. It is stored, then leaves the state when the
// rotation is applied; the new key's updates count within the inherited scope.
TEST_F(TrustAttackTest, OldKeyAfterItsRotationDoesNotCount) {
  crypto::SigningKey next = newKey();
  FeedWriter old_feed(vendor_, kTestNetwork, now_);
  old_feed.record(catalog::Kind::LEARNING_RESOURCE, "acme/0");
  old_feed.trustRecord(rotation(kTestNetwork, vendor_, next));
  old_feed.record(catalog::Kind::LEARNING_RESOURCE, "acme/late");
  FeedWriter new_feed(next, kTestNetwork, now_ + 10);
  new_feed.record(catalog::Kind::LEARNING_RESOURCE, "acme/new");
  new_feed.record(catalog::Kind::SKILL, "acme/skill");  // outside the inherited kinds
  const uint64_t before = a_->status()["records"]["LearningResource"].get<uint64_t>();
  auto raw = startRaw(serveAndPush({old_feed.updates(), new_feed.updates()}, {}));
  const std::string raw_key = raw->transportKeys().public_z85;
  const std::string vendor_hex = toHex(vendor_.publicKey());
  ASSERT_TRUE(waitFor([&] { return a_->seqOf(toHex(next.publicKey())) == 1; }, seconds(20)))
      << a_->logFile();
  EXPECT_TRUE(
      waitFor([&] { return rejectedFor(a_->daemonStatus(), raw_key, "out_of_scope_kind") >= 1; },
              seconds(20)))
      << a_->daemonStatus()["links"].dump();
  // acme/late left the state (or never entered it); acme/new counts.
  EXPECT_TRUE(waitFor(
      [&] { return a_->status()["records"]["LearningResource"].get<uint64_t>() == before + 1; },
      seconds(20)));
  nlohmann::json shown = nlohmann::json::parse(a_->ok({"trust", "show", "--json"}));
  bool cut_at_rotation = false;
  for (const auto& cut : shown["cuts"]) {
    if (cut["id"] == vendor_hex && cut["cause"] == "rotated") {
      cut_at_rotation = cut["cutoff_seq"] == 2;
    }
  }
  EXPECT_TRUE(cut_at_rotation) << shown.dump();
}

TEST_F(TrustAttackTest, ForgedTrustRecordRelayed) {
  FeedWriter writer(root_, kTestNetwork, now_);  // the same three records as the honest feed
  writer.trustRecord(trust::Membership{member_.publicKey(), "member", "UKE42"});
  writer.trustRecord(trust::Membership{removed_.publicKey(), "removed", "UKE42"});
  writer.trustRecord(trust::Removal{removed_.publicKey(), 1, false, "left the network"});
  crypto::SigningKey intruder = newKey();
  feed::SignedUpdate forged =
      writer.trustRecord(trust::Membership{intruder.publicKey(), "intruder", ""});
  forged.signature[7] ^= 0x01;
  expectRefused({forged}, "bad signature");
  expectRefused(prefix(intruder, "i/"), "unknown_author");
}

// A replay of what A holds is a duplicate push: counted, unblamed, changing nothing.
TEST_F(TrustAttackTest, ReplayedTrustRecordsChangeNothing) {
  auto raw = startRaw(serveAndPush({}, root_feed_));
  const std::string raw_key = raw->transportKeys().public_z85;
  EXPECT_TRUE(waitFor(
      [&] {
        return linkCounter(a_->daemonStatus(), raw_key, "client", "duplicates") >=
               root_feed_.size();
      },
      seconds(20)))
      << a_->daemonStatus()["links"].dump();
  EXPECT_EQ(a_->digest(), honest_digest_);
}

// An author signs two different seq 2 and shows one to A, the other to B. When A and B sync,
// the split view becomes a fork proof: both keep it, freeze the feed, keep only the common
// prefix in their state (equal digests), and report it in status and trust show.
TEST_F(TrustAttackTest, EquivocationFreezesTheFeedOnEveryNode) {
  auto b = std::make_unique<NodeProcess>(dir_.file("b"), "b cluster", "DE501");
  b->start();
  b->ok({"trust", "root", toHex(root_.publicKey())});
  const std::string b_key = transportKeyOf(*b);
  FeedWriter left(member_, kTestNetwork, now_);
  left.record(catalog::Kind::LEARNING_RESOURCE, "m/0");
  FeedWriter right(member_, kTestNetwork, now_);
  right.record(catalog::Kind::LEARNING_RESOURCE, "m/0");
  left.record(catalog::Kind::LEARNING_RESOURCE, "m/left");
  right.record(catalog::Kind::LEARNING_RESOURCE, "m/right");
  right.record(catalog::Kind::LEARNING_RESOURCE, "m/right-2");
  const FeedUpdates to_a = left.updates();
  const FeedUpdates to_b = right.updates();
  const FeedUpdates root_feed = root_feed_;
  const std::string a_key = a_key_;
  RawPeer equivocator(newKey(), {a_key_, b_key},
                      [=](const std::string& peer, const wire::Message& message) {
                        const FeedUpdates& branch = peer == a_key ? to_a : to_b;
                        return honestAnswer(kTestNetwork, {root_feed, branch}, message);
                      });
  a_->ok({"peer", "add", equivocator.card()});
  b->ok({"peer", "add", equivocator.card()});
  const std::string member_hex = toHex(member_.publicKey());
  ASSERT_TRUE(waitFor([&] { return b->seqOf(member_hex) == 3; }, seconds(20))) << b->logFile();
  peerBothWays(*a_, *b);
  auto frozen = [&](const NodeProcess& node) {
    return node.status()["frozen_feeds"].get<uint64_t>() == 1;
  };
  ASSERT_TRUE(waitFor([&] { return frozen(*a_) && frozen(*b); }, seconds(30)))
      << "see " << a_->logFile() << " " << b->logFile();
  nlohmann::json shown = nlohmann::json::parse(a_->ok({"trust", "show", "--json"}));
  ASSERT_EQ(shown["frozen"].size(), 1u);
  EXPECT_EQ(shown["frozen"][0]["id"], member_hex);
  EXPECT_EQ(shown["frozen"][0]["fork_seq"], 2);
  // Both keep only the prefix before the fork: the same state on both sides.
  EXPECT_TRUE(converged({a_.get(), b.get()}, seconds(20)));
  EXPECT_EQ(a_->status()["records"]["LearningResource"],
            b->status()["records"]["LearningResource"]);
}

}  // namespace
}  // namespace eichub::testing
