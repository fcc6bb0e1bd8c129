// A root key's rotation under 2-of-3 roots on two real daemons: signed by the rotating root
// alone it is refused (the new key's updates count under rotation_unconfirmed, nothing they
// admit counts); once a second root approves it both nodes accept it and agree on the digest.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "federation/wire/messages.h"
#include "node/home/home.h"
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

uint64_t rejectedFor(const nlohmann::json& daemon, const std::string& reason) {
  uint64_t total = 0;
  if (!daemon.is_object()) return 0;
  for (const auto& link : daemon["links"]) {
    const auto& reasons = link["rejected_by_reason"];
    if (reasons.contains(reason)) total += reasons[reason].get<uint64_t>();
  }
  return total;
}

// Serves feeds honestly and, after each hello, pushes push: a node does not ask for the feed
// of a key it does not trust, so a refusal is counted only for what is pushed.
ServeScript serve(std::vector<FeedUpdates> feeds, FeedUpdates push = {}) {
  return [feeds, push](const std::string&, const wire::Message& message) {
    std::vector<Bytes> out = honestAnswer(kTestNetwork, feeds, message);
    if (std::holds_alternative<wire::Hello>(message)) {
      for (const feed::SignedUpdate& update : push) {
        out.push_back(wire::encode(wire::Updates{{update}}));
      }
    }
    return out;
  };
}

bool hasRotationCut(const nlohmann::json& shown, const std::string& old_key,
                    const std::string& new_key) {
  for (const auto& cut : shown["cuts"]) {
    if (cut["id"] == old_key && cut["cause"] == "rotated" && cut["rotated_to"] == new_key) {
      return true;
    }
  }
  return false;
}

TEST(TrustRotationTest, RootRotationNeedsTheThresholdOnEveryNode) {
  TempDir dir;
  const int64_t now = systemMs();
  crypto::SigningKey r1 = newKey(), r2 = newKey(), r3 = newKey(), r1_next = newKey();
  crypto::SigningKey member = newKey();
  std::vector<std::unique_ptr<NodeProcess>> nodes;
  std::set<std::string> transport_keys;
  for (const char* name : {"a", "b"}) {
    nodes.push_back(std::make_unique<NodeProcess>(dir.file(name), name, "UKE42"));
    NodeProcess& node = *nodes.back();
    node.start();
    transport_keys.insert(transportKeyOf(node));
    node.ok({"trust", "root", toHex(r1.publicKey()), "--threshold", "2"});
    node.ok({"trust", "root", toHex(r2.publicKey())});
    node.ok({"trust", "root", toHex(r3.publicKey())});
  }
  // a and b peer, so that they hold the same feeds and their digests can be compared.
  nodes[0]->ok({"peer", "add", nodes[1]->card()});
  nodes[1]->ok({"peer", "add", nodes[0]->card()});
  // r1 rotates to r1_next, which then admits a member with r2: two voices if the rotation
  // counts, one if it does not. The member publishes one record.
  FeedWriter r1_feed(r1, kTestNetwork, now);
  r1_feed.trustRecord(rotation(kTestNetwork, r1, r1_next));
  FeedWriter r1_next_feed(r1_next, kTestNetwork, now + 1);
  r1_next_feed.trustRecord(trust::Membership{member.publicKey(), "member", "UKE42"});
  FeedWriter r2_feed(r2, kTestNetwork, now);
  r2_feed.trustRecord(trust::Membership{member.publicKey(), "member", "UKE42"});
  FeedWriter member_feed(member, kTestNetwork, now + 2);
  member_feed.record(catalog::Kind::LEARNING_RESOURCE, "m/0");
  RawPeer first(
      newKey(), transport_keys,
      serve({r1_feed.updates(), r1_next_feed.updates(), r2_feed.updates(), member_feed.updates()}));
  for (auto& node : nodes) node->ok({"peer", "add", first.card()});

  const std::string old_hex = toHex(r1.publicKey()), new_hex = toHex(r1_next.publicKey());
  for (auto& node : nodes) {
    ASSERT_TRUE(waitFor(
        [&] { return node->seqOf(old_hex) == 1 && node->seqOf(toHex(r2.publicKey())) == 1; },
        seconds(20)))
        << node->logFile();
    nlohmann::json shown = nlohmann::json::parse(node->ok({"trust", "show", "--json"}));
    EXPECT_FALSE(hasRotationCut(shown, old_hex, new_hex)) << shown.dump();
    ASSERT_EQ(shown["pending_rotations"].size(), 1u) << shown.dump();
    EXPECT_EQ(shown["pending_rotations"][0]["new"], new_hex);
    EXPECT_EQ(shown["pending_rotations"][0]["roots_behind"], 1);
    EXPECT_TRUE(shown["members"].empty()) << "one voice admitted a member: " << shown.dump();
  }
  // The new key's update pushed now, with the rotation held but short of approvals.
  RawPeer pusher(newKey(), transport_keys, serve({}, r1_next_feed.updates()));
  for (auto& node : nodes) node->ok({"peer", "add", pusher.card()});
  for (auto& node : nodes) {
    ASSERT_TRUE(
        waitFor([&] { return rejectedFor(node->daemonStatus(), "rotation_unconfirmed") >= 1; },
                seconds(20)))
        << "no rotation_unconfirmed counted: " << node->daemonStatus()["links"].dump() << " "
        << node->logFile();
    EXPECT_EQ(node->seqOf(new_hex), 0u);
    EXPECT_EQ(node->seqOf(toHex(member.publicKey())), 0u);
  }
  const auto same_digest = [&] { return nodes[0]->digest() == nodes[1]->digest(); };
  EXPECT_TRUE(waitFor(same_digest, seconds(20))) << "see " << nodes[0]->logFile();
  const std::string before = nodes[0]->digest();

  // A second root stands behind the rotation: now it counts, and with it the new key's voice.
  FeedWriter r3_feed(r3, kTestNetwork, now);
  r3_feed.trustRecord(trust::RotationApproval{r1.publicKey(), r1_next.publicKey()});
  RawPeer second(newKey(), transport_keys, serve({r3_feed.updates()}));
  for (auto& node : nodes) node->ok({"peer", "add", second.card()});
  for (auto& node : nodes) {
    ASSERT_TRUE(waitFor([&] { return node->seqOf(toHex(member.publicKey())) == 1; }, seconds(30)))
        << node->logFile();
    nlohmann::json shown = nlohmann::json::parse(node->ok({"trust", "show", "--json"}));
    EXPECT_TRUE(hasRotationCut(shown, old_hex, new_hex)) << shown.dump();
    EXPECT_TRUE(shown["pending_rotations"].empty()) << shown.dump();
    EXPECT_EQ(shown["members"].size(), 1u) << shown.dump();
  }
  EXPECT_TRUE(waitFor(same_digest, seconds(20)));
  EXPECT_NE(nodes[0]->digest(), before);
}

}  // namespace
}  // namespace eichub::testing
