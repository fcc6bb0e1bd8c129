// The trust story on real processes: a network authority admits four nodes; a vendor admitted
// at one of them publishes 1,000 resources that reach all four; the vendor is revoked at a
// cut-off and a member removed (its peers close its sessions), and every remaining node
// (including one that learns the revocation before the updates it cuts) reaches the same
// digest; a node rotates its key and its feed continues under the new one.
#include <chrono>
#include <memory>

#include <gtest/gtest.h>

#include "tests/multinode/cluster.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

class TrustStoryTest : public ::testing::Test {
 protected:
  NodeProcess& add(const std::string& name, const std::string& region) {
    nodes_.push_back(std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", region));
    nodes_.back()->start();
    return *nodes_.back();
  }
  // Whether every node but the one removed (if any) reaches the same digest.
  bool converged() const {
    std::vector<NodeProcess*> remaining;
    for (const auto& node : nodes_) {
      if (node.get() != removed_) remaining.push_back(node.get());
    }
    return testing::converged(remaining, seconds(60));
  }
  std::string logs() const { return testing::logs(pointers(nodes_)); }
  static uint64_t resources(const NodeProcess& node) {
    return node.status()["records"].value("LearningResource", uint64_t{0});
  }

  TempDir dir_;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  const NodeProcess* removed_ = nullptr;  // removed by the authority: its peers cut it off
};

TEST_F(TrustStoryTest, FourNodesUnderOneRootAgreeOnVendorRevocationRemovalAndRotation) {
  NodeProcess& net = add("net", "EU");
  NodeProcess& a = add("a", "UKE42");
  NodeProcess& b = add("b", "DE501");
  NodeProcess& c = add("c", "NO081");
  NodeProcess& d = add("d", "FI1B1");
  net.ok({"trust", "root", net.nodeId()});  // the authority follows its own members too
  for (auto [node, name] : {std::pair{&a, "a"}, {&b, "b"}, {&c, "c"}, {&d, "d"}}) {
    admitMember(net, *node, name, "UKE42");
  }
  // A line: only A talks to the authority, and only C to D.
  peerBothWays(net, a);
  peerBothWays(a, b);
  peerBothWays(b, c);
  peerBothWays(c, d);
  ASSERT_TRUE(converged()) << logs();

  // A vendor admitted at A publishes 1,000 resources, signed with its own key.
  const std::string key_file = dir_.file("acme.key");
  ProcessResult keygen = runProcess({EICHUB_BINARY, "vendor", "keygen", "--out", key_file});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  const std::string vendor = keygen.out.substr(0, 64);
  a.ok({"vendor", "admit", vendor, "--name", "Acme Learning", "--kinds",
        "LearningResource,Provider", "--id-prefix", "acme/", "--expires", "2099-12-31"});
  const std::string courses = dir_.file("acme-courses.jsonl");
  writeResources(courses, "acme", 1000);
  const auto published_at = std::chrono::steady_clock::now();
  a.ok({"publish", "--as", key_file, courses});
  ASSERT_TRUE(waitFor([&] { return d.seqOf(vendor) == 1000; }, seconds(60))) << logs();
  const double seconds_to_d =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - published_at).count();
  RecordProperty("vendor_1000_to_far_node_ms", static_cast<int>(seconds_to_d * 1000));
  ASSERT_TRUE(converged()) << logs();
  for (const auto& node : nodes_) EXPECT_EQ(resources(*node), 1000u);

  // Outside its prefix the vendor is refused before anything is signed.
  const std::string beta = dir_.file("beta.jsonl");
  writeResources(beta, "beta", 3);
  ProcessResult refused = a.cli({"publish", "--as", key_file, beta});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("out_of_scope_prefix"), std::string::npos) << refused.err;
  EXPECT_EQ(a.seqOf(vendor), 1000u);

  // Revocation after seq 600: the 400 later resources leave every node's state.
  a.ok({"vendor", "revoke", vendor, "--after-seq", "600", "--reason", "key leaked"});
  ASSERT_TRUE(waitFor([&] { return resources(d) == 600; }, seconds(60))) << logs();
  ASSERT_TRUE(converged()) << logs();
  for (const auto& node : nodes_) EXPECT_EQ(resources(*node), 600u);

  // A late node learns the revocation before the vendor's updates: the same digest.
  NodeProcess& e = add("e", "SE110");
  admitMember(net, e, "e", "UKE42");
  peerBothWays(d, e);
  ASSERT_TRUE(converged()) << logs();
  EXPECT_EQ(e.seqOf(vendor), 600u);  // never fetched past the cut-off
  EXPECT_EQ(resources(e), 600u);

  // The authority removes C. C's peers end its sessions as the removal reaches them
  // (docs/reliability.md case 25), so C may never hear of it; what C publishes afterwards counts
  // nowhere else. The line is cut at C: B links to D.
  net.ok({"authority", "remove", c.nodeId(), "--after-seq", std::to_string(c.seqOf(c.nodeId())),
          "--reason", "left the network"});
  removed_ = &c;
  ASSERT_TRUE(waitFor(
      [&] {
        nlohmann::json shown = nlohmann::json::parse(b.ok({"trust", "show", "--json"}));
        return shown["cuts"].size() == 2;
      },
      seconds(30)))
      << logs();
  peerBothWays(b, d);
  const std::string late = dir_.file("c-late.jsonl");
  writeResources(late, "c-late", 5);
  c.ok({"publish", late});
  ASSERT_TRUE(converged()) << logs();
  for (const auto& node : nodes_) {
    if (node.get() != removed_) {
      EXPECT_EQ(resources(*node), 600u);
    }
  }

  // B moves to a new key; its feed continues under it and reaches every node.
  const std::string old_b = b.nodeId();
  EXPECT_EQ(b.stop(), 0);
  nlohmann::json rotated = nlohmann::json::parse(b.ok({"key", "rotate", "--json"}));
  const std::string new_b = rotated["new_key"];
  b.start();
  const std::string more = dir_.file("b-more.jsonl");
  writeResources(more, "b-more", 7);
  b.ok({"publish", more});
  ASSERT_TRUE(waitFor([&] { return d.seqOf(new_b) == b.seqOf(new_b); }, seconds(30))) << logs();
  ASSERT_TRUE(converged()) << logs();
  for (const auto& node : nodes_) {
    if (node.get() != removed_) {
      EXPECT_EQ(resources(*node), 607u);
    }
  }
  nlohmann::json shown = nlohmann::json::parse(d.ok({"trust", "show", "--json"}));
  bool saw_rotation = false;
  for (const auto& cut : shown["cuts"]) {
    if (cut["id"] == old_b && cut["cause"] == "rotated" && cut["rotated_to"] == new_b) {
      saw_rotation = true;
    }
  }
  EXPECT_TRUE(saw_rotation) << shown.dump();
  for (const auto& node : nodes_) EXPECT_EQ(node->stop(), 0);
}

}  // namespace
}  // namespace eichub::testing
