// Issue 17, finding 5, on real daemons: a vendor admitted at A with a quota of kQuota updates
// publishes past it from its own node V (where its key is trusted without a quota). A, B and C
// store exactly the quota (A never asks V for more) and print the same digest; at A,
// `publish --as` refuses to sign past the quota, naming it. Raising the quota lets the rest in;
// lowering it restates the feed everywhere.
// A vendor pushing updates past its quota unasked from a raw peer is counted as over_quota.
// The byte quota (--max-mb) cuts the same way, at the update that takes the feed past it.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "federation/wire/messages.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/multinode/trust_feeds.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

constexpr size_t kQuota = 60;       // updates the delegation lets every node store
constexpr size_t kPublished = 150;  // what the vendor signs at its own node: 2.5 x the quota

uint64_t resources(const NodeProcess& node) {
  return node.status()["records"].value("LearningResource", uint64_t{0});
}

TEST(QuotaTest, PeersStoreAVendorsFeedUpToItsSignedQuotaAndNoMore) {
  TempDir dir;
  NodeProcess v(dir.file("v"), "vendor's own node", "UKE42");
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  NodeProcess c(dir.file("c"), "c cluster", "NO081");
  for (NodeProcess* node : {&v, &a, &b, &c}) node->start();
  const std::string logs =
      "see " + v.logFile() + " " + a.logFile() + " " + b.logFile() + " " + c.logFile();

  const std::string key_file = dir.file("acme.key");
  ProcessResult keygen = runProcess({EICHUB_BINARY, "vendor", "keygen", "--out", key_file});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  const std::string vendor = keygen.out.substr(0, 64);
  a.ok({"vendor", "admit", vendor, "--name", "Acme Learning", "--kinds", "LearningResource",
        "--id-prefix", "acme/", "--max-records", std::to_string(kQuota)});
  // The vendor's own node trusts its key without any quota, so it signs and serves all of it.
  v.ok({"trust", "add", vendor});
  // A, B and C take every node's own feed (cluster profile), whichever peer relays it, so that
  // their digests compare the vendor's feed alone; C takes A's delegation through B.
  for (NodeProcess* node : {&a, &b, &c}) {
    for (const NodeProcess* other : {&v, &a, &b, &c}) {
      if (other != node) node->ok({"trust", "add", other->nodeId()});
    }
  }
  // A line: V - A - B - C.
  peerBothWays(v, a);
  peerBothWays(a, b);
  peerBothWays(b, c);

  const std::string courses = dir.file("acme.jsonl");
  writeResources(courses, "acme", kPublished);
  v.ok({"publish", "--as", key_file, courses});
  ASSERT_EQ(v.seqOf(vendor), kPublished);

  ASSERT_TRUE(waitFor([&] { return c.seqOf(vendor) == kQuota; }, seconds(60)))
      << "C holds " << c.seqOf(vendor) << "; " << logs;
  ASSERT_TRUE(converged({&a, &b, &c}, seconds(30))) << logs;
  for (const NodeProcess* node : {&a, &b, &c}) {
    EXPECT_EQ(node->seqOf(vendor), kQuota) << node->dir();
    EXPECT_EQ(resources(*node), kQuota) << node->dir();
  }
  nlohmann::json shown = nlohmann::json::parse(a.ok({"trust", "show", "--json"}));
  ASSERT_EQ(shown["vendors"].size(), 1u);
  EXPECT_EQ(shown["vendors"][0]["max_updates"], kQuota);

  // At A the vendor's key may not sign past its quota: refused before signing, quota named.
  const std::string more = dir.file("more.jsonl");
  writeResources(more, "acme/more", 3);
  ProcessResult refused = a.cli({"publish", "--as", key_file, more});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("over_quota"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("may count " + std::to_string(kQuota) + " updates"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("0 left"), std::string::npos) << refused.err;
  EXPECT_EQ(a.seqOf(vendor), kQuota);

  // The member raises the quota by admitting the vendor again: the rest of the feed, refused
  // until now, reaches every node.
  a.ok({"vendor", "admit", vendor, "--name", "Acme Learning", "--kinds", "LearningResource",
        "--id-prefix", "acme/", "--max-records", std::to_string(kPublished)});
  ASSERT_TRUE(waitFor([&] { return c.seqOf(vendor) == kPublished; }, seconds(60)))
      << "C holds " << c.seqOf(vendor) << "; " << logs;
  ASSERT_TRUE(converged({&a, &b, &c}, seconds(30))) << logs;
  EXPECT_EQ(resources(c), kPublished);

  // Lowered once the updates are held (a quota learnt late): every node restates the feed to
  // the new quota's prefix, as for a late revocation, and the digests stay equal.
  constexpr uint64_t kLowered = 100;
  a.ok({"vendor", "admit", vendor, "--name", "Acme Learning", "--kinds", "LearningResource",
        "--id-prefix", "acme/", "--max-records", std::to_string(kLowered)});
  ASSERT_TRUE(waitFor(
      [&] {
        return resources(a) == kLowered && resources(b) == kLowered && resources(c) == kLowered;
      },
      seconds(60)))
      << logs;
  ASSERT_TRUE(converged({&a, &b, &c}, seconds(30))) << logs;
}

// 60 courses of about 25 KB: the first 41 fit 1 MiB (41 x 25.6 KB at most), 42 never do.
TEST(QuotaTest, PeersStoreAVendorsFeedUpToItsSignedByteQuota) {
  constexpr size_t kCourses = 60;
  constexpr size_t kDescriptionBytes = 25'000;
  constexpr uint64_t kWithinQuota = 41;
  TempDir dir;
  NodeProcess v(dir.file("v"), "vendor's own node", "UKE42");
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  for (NodeProcess* node : {&v, &a, &b}) node->start();
  const std::string logs = "see " + v.logFile() + " " + a.logFile() + " " + b.logFile();
  const std::string key_file = dir.file("acme.key");
  ProcessResult keygen = runProcess({EICHUB_BINARY, "vendor", "keygen", "--out", key_file});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  const std::string vendor = keygen.out.substr(0, 64);
  a.ok({"vendor", "admit", vendor, "--name", "Acme Learning", "--kinds", "LearningResource",
        "--id-prefix", "acme/", "--max-mb", "1"});
  v.ok({"trust", "add", vendor});
  for (NodeProcess* node : {&a, &b}) {
    for (const NodeProcess* other : {&v, &a, &b}) {
      if (other != node) node->ok({"trust", "add", other->nodeId()});
    }
  }
  peerBothWays(v, a);
  peerBothWays(a, b);
  const std::string courses = dir.file("acme.jsonl");
  writeResources(courses, "acme", kCourses, kDescriptionBytes);
  v.ok({"publish", "--as", key_file, courses});
  ASSERT_EQ(v.seqOf(vendor), kCourses);

  ASSERT_TRUE(waitFor([&] { return b.seqOf(vendor) == kWithinQuota; }, seconds(60)))
      << "B holds " << b.seqOf(vendor) << "; " << logs;
  ASSERT_TRUE(converged({&a, &b}, seconds(30))) << logs;
  EXPECT_EQ(a.seqOf(vendor), kWithinQuota);
  EXPECT_EQ(resources(a), kWithinQuota);
  EXPECT_GE(rejectedFor(a.daemonStatus(), transportKeyOf(v), "over_quota"), 1u) << logs;
  nlohmann::json shown = nlohmann::json::parse(a.ok({"trust", "show", "--json"}));
  ASSERT_EQ(shown["vendors"].size(), 1u);
  EXPECT_EQ(shown["vendors"][0]["max_bytes"], 1u << 20);

  // At A the vendor's key may not sign past its byte quota: refused before signing.
  const std::string more = dir.file("more.jsonl");
  writeResources(more, "acme/more", 1, kDescriptionBytes);
  ProcessResult refused = a.cli({"publish", "--as", key_file, more});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("over_quota"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("may hold 1048576 bytes of records (--max-mb)"), std::string::npos)
      << refused.err;
  EXPECT_EQ(a.seqOf(vendor), kWithinQuota);
}

// The vendor's own software serves its feed and pushes the updates past its quota to A unasked:
// A takes the quota's prefix, counts the push under over_quota (status and /metrics), and B,
// syncing from A, holds the same.
TEST(QuotaTest, AFeedPushedPastItsQuotaIsCountedAndCutAtTheQuota) {
  constexpr size_t kSmallQuota = 5;
  TempDir dir;
  NodeProcess a(dir.file("a"), "a cluster", "UKE42");
  NodeProcess b(dir.file("b"), "b cluster", "DE501");
  a.start();
  b.start();
  peerBothWays(a, b);
  const crypto::SigningKey vendor = crypto::SigningKey::generate().value();
  const std::string vendor_hex = toHex(vendor.publicKey());
  a.ok({"vendor", "admit", vendor_hex, "--name", "Acme", "--kinds", "LearningResource",
        "--id-prefix", "acme/", "--max-records", std::to_string(kSmallQuota)});
  FeedWriter writer(vendor, kTestNetwork, systemMs());
  for (size_t i = 0; i < kSmallQuota + 3; ++i) {
    writer.record(catalog::Kind::LEARNING_RESOURCE, "acme/" + std::to_string(i));
  }
  const FeedUpdates feed = writer.updates();
  const FeedUpdates past_quota(feed.begin() + kSmallQuota, feed.end());
  RawPeer raw(crypto::SigningKey::generate().value(), {transportKeyOf(a)},
              [feed, past_quota](const std::string&, const wire::Message& message) {
                std::vector<Bytes> out = honestAnswer(kTestNetwork, {feed}, message);
                if (std::holds_alternative<wire::Hello>(message)) {
                  out.push_back(wire::encode(wire::Updates{past_quota}));
                }
                return out;
              });
  a.ok({"peer", "add", raw.card()});
  const std::string raw_key = raw.transportKeys().public_z85;
  ASSERT_TRUE(waitFor(
      [&] {
        return rejectedFor(a.daemonStatus(), raw_key, "over_quota") >= 1 &&
               b.seqOf(vendor_hex) == kSmallQuota;
      },
      seconds(30)))
      << "A holds " << a.seqOf(vendor_hex) << ", B " << b.seqOf(vendor_hex) << "; see "
      << a.logFile();
  EXPECT_EQ(a.seqOf(vendor_hex), kSmallQuota);
  ASSERT_TRUE(converged({&a, &b}, seconds(30)));
  // /metrics reads the HTTP snapshot, which may be up to a second behind when nobody read it
  // before (snapshot_publisher.h).
  HttpAnswer metrics;
  EXPECT_TRUE(waitFor(
      [&] {
        metrics = httpGet(a.httpAddress(), "/metrics");
        return metrics.status == 200 &&
               metrics.body.find("eichub_updates_rejected_total{reason=\"over_quota\"}") !=
                   std::string::npos;
      },
      seconds(10)))
      << metrics.body;
}

}  // namespace
}  // namespace eichub::testing
