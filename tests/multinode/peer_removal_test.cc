// docs/reliability.md case 25, session identity binding, on real daemons: ZAP judges a session only
// at its handshake, so a peer removed while syncing must lose its live sessions when the config
// changes, or when trust removes its node (nothing more from it is applied, its reconnect is
// refused), and a hello claiming another peer's node id is refused whatever key carried it.
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/faults/figures.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

bool logHas(const NodeProcess& node, const std::string& a, const std::string& b) {
  std::ifstream in(node.logFile());
  for (std::string line; std::getline(in, line);) {
    if (line.find(a) != std::string::npos && line.find(b) != std::string::npos) return true;
  }
  return false;
}

// Milliseconds from one steady-clock instant to another.
int64_t msBetween(std::chrono::steady_clock::time_point from,
                  std::chrono::steady_clock::time_point to) {
  return std::chrono::duration_cast<milliseconds>(to - from).count();
}

// Restarts b and waits until a's ZAP has refused more sessions than zap_refused_before.
bool restartIsRefusedByZap(const NodeProcess& a, NodeProcess& b, uint64_t zap_refused_before) {
  if (b.stop() != 0) return false;
  b.start();
  return waitFor(
      [&] {
        nlohmann::json now = a.daemonStatus();
        return now.is_object() && now["zap_refused"].get<uint64_t>() > zap_refused_before;
      },
      seconds(30));
}

// B publishes batches of records back to back until stopped.
class Publisher {
 public:
  Publisher(const NodeProcess& node, std::string dir)
      : thread_([this, &node, dir = std::move(dir)] {
          for (int i = 0; !stop_.load(); ++i) {
            const std::string file = dir + "/batch-" + std::to_string(i) + ".jsonl";
            writeResources(file, "p" + std::to_string(i), 20);
            if (node.cli({"publish", file}).exit_code == 0) ++batches_;
          }
        }) {}
  ~Publisher() { stop(); }
  void stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  int batches() const { return batches_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> batches_{0};
  std::thread thread_;
};

TEST(PeerRemovalTest, ARemovedPeerIsCutOffAtOnceAndItsReconnectIsRefused) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "A cluster", "UKE42");
  NodeProcess b(dir.file("b"), "B cluster", "UKE42");
  a.start();
  b.start();
  const std::string b_id = b.nodeId();
  const std::string b_key = transportKeyOf(b);
  // B's feed stays trusted as an author after the removal (another peer could relay it), so
  // only the end of B's sessions can stop A from taking B's updates.
  a.ok({"trust", "add", b_id});
  peerBothWays(a, b);
  Publisher publisher(b, dir.path());
  const uint64_t start_seq = a.seqOf(b_id);
  ASSERT_TRUE(waitFor([&] { return a.seqOf(b_id) > start_seq + 40; }, seconds(60))) << a.logFile();

  const auto removal = std::chrono::steady_clock::now();
  a.ok({"peer", "remove", b_id});  // returns once the daemon has reloaded
  const auto acked = std::chrono::steady_clock::now();
  // Batches verified before the removal may still be in the writer: wait until it is idle.
  ASSERT_TRUE(waitFor(
      [&] {
        nlohmann::json daemon = a.daemonStatus();
        return daemon.is_object() && daemon["pending_updates"] == 0;
      },
      seconds(30)));
  const uint64_t cut_seq = a.seqOf(b_id);
  const uint64_t b_seq_at_cut = b.seqOf(b_id);
  // B goes on publishing; A must take none of it.
  ASSERT_TRUE(waitFor([&] { return b.seqOf(b_id) >= b_seq_at_cut + 100; }, seconds(60)));
  publisher.stop();
  EXPECT_EQ(a.seqOf(b_id), cut_seq);
  EXPECT_TRUE(logHas(a, "event=peer_removed", "role=client")) << a.logFile();
  EXPECT_TRUE(logHas(a, "event=peer_removed", "role=server")) << a.logFile();
  nlohmann::json daemon = a.daemonStatus();
  ASSERT_TRUE(daemon.is_object());
  for (const nlohmann::json& link : daemon["links"]) {
    if (link["peer_key"] == b_key) {
      EXPECT_FALSE(link["up"].get<bool>()) << link.dump();
    }
  }
  const uint64_t dropped = daemon["removed_peer_messages_dropped"].get<uint64_t>();

  // B's new session (after a restart) is refused by ZAP and brings nothing either.
  const uint64_t zap_refused = daemon["zap_refused"].get<uint64_t>();
  ASSERT_TRUE(restartIsRefusedByZap(a, b, zap_refused)) << a.logFile();
  EXPECT_EQ(a.seqOf(b_id), cut_seq);
  const uint64_t b_head = b.seqOf(b_id);
  EXPECT_GT(b_head, cut_seq);

  reportFigures({{"case", "25 removed peer's live session"},
                 {"ms_peer_remove_to_ack", msBetween(removal, acked)},
                 {"a_seq_of_b_at_cut", cut_seq},
                 {"b_head_at_end", b_head},
                 {"b_batches_published", publisher.batches()},
                 {"messages_dropped_after_removal", dropped},
                 {"reconnect_refused_by_zap", true}});
}

// The trust variant: the network authority removes B while B syncs with A. A learns the removal
// through its sync with the authority and ends B's live sessions in the step that applies the
// trust change, with no config change; B's reconnect is refused by ZAP.
TEST(PeerRemovalTest, APeerTheAuthorityRemovesLosesItsLiveSessionsWhenTheRemovalArrives) {
  TempDir dir;
  NodeProcess net(dir.file("net"), "Network authority", "EU");
  NodeProcess a(dir.file("a"), "A cluster", "UKE42");
  NodeProcess b(dir.file("b"), "B cluster", "DE501");
  net.start();
  a.start();
  b.start();
  const std::string b_id = b.nodeId();
  const std::string b_key = transportKeyOf(b);
  net.ok({"trust", "root", net.nodeId()});
  admitMember(net, a, "a", "UKE42");
  admitMember(net, b, "b", "DE501");
  peerBothWays(net, a);
  peerBothWays(a, b);
  Publisher publisher(b, dir.path());
  const uint64_t start_seq = a.seqOf(b_id);
  ASSERT_TRUE(waitFor([&] { return a.seqOf(b_id) > start_seq + 40; }, seconds(60))) << a.logFile();
  const uint64_t zap_refused = a.daemonStatus()["zap_refused"].get<uint64_t>();

  const auto removal = std::chrono::steady_clock::now();
  net.ok({"authority", "remove", b_id, "--after-seq", std::to_string(b.seqOf(b_id)), "--reason",
          "left the network"});
  const auto recorded = std::chrono::steady_clock::now();
  const auto revoked_at_a = [&] {
    nlohmann::json daemon = a.daemonStatus();
    if (!daemon.is_object()) return false;
    for (const nlohmann::json& key : daemon["revoked_peers"]) {
      if (key == b_key) return true;
    }
    return false;
  };
  ASSERT_TRUE(waitFor(revoked_at_a, seconds(30))) << a.logFile();
  const auto revoked = std::chrono::steady_clock::now();
  EXPECT_TRUE(logHas(a, "event=peer_revoked", b_id)) << a.logFile();
  EXPECT_TRUE(logHas(a, "event=peer_removed", "role=client")) << a.logFile();
  nlohmann::json daemon = a.daemonStatus();
  ASSERT_TRUE(daemon.is_object());
  for (const nlohmann::json& link : daemon["links"]) {
    if (link["peer_key"] == b_key) {
      EXPECT_FALSE(link["up"].get<bool>()) << link.dump();
    }
  }
  publisher.stop();

  // B restarts: ZAP refuses its new session, though B is still in A's peers.toml (untouched).
  ASSERT_TRUE(restartIsRefusedByZap(a, b, zap_refused)) << a.logFile();

  reportFigures({{"case", "25 revoked peer's live session"},
                 {"ms_authority_remove_command", msBetween(removal, recorded)},
                 {"ms_recorded_to_revoked_at_a", msBetween(recorded, revoked)},
                 {"b_batches_published", publisher.batches()},
                 {"reconnect_refused_by_zap", true}});
}

TEST(PeerRemovalTest, AHelloClaimingAnotherPeersNodeIdIsRefused) {
  TempDir dir;
  NodeProcess a(dir.file("a"), "A cluster", "UKE42");
  NodeProcess c(dir.file("c"), "C cluster", "UKE42");
  a.start();
  c.start();
  a.ok({"peer", "add", c.card()});
  RawPeer raw(crypto::SigningKey::generate().value(), {transportKeyOf(a)},
              [](const std::string&, const wire::Message&) { return std::vector<Bytes>{}; });
  a.ok({"peer", "add", raw.card()});
  raw.connect(a.card());
  ASSERT_TRUE(raw.waitUp(seconds(10)));
  wire::Hello hello = helloWithHeads("test-net", {});
  auto c_id = fixedFromHex<kPublicKeyBytes>(c.nodeId());
  ASSERT_TRUE(c_id);
  hello.node_id = *c_id;  // raw's own transport key, C's node id
  ASSERT_TRUE(raw.send(hello));
  EXPECT_TRUE(raw.receiveMessage<wire::Bye>(seconds(10)).has_value());
  const std::string raw_key = raw.transportKeys().public_z85;
  ASSERT_TRUE(
      waitFor([&] { return rejectedFor(a.daemonStatus(), raw_key, "identity_mismatch") >= 1; },
              seconds(10)))
      << a.daemonStatus().dump();
  // Its own id is accepted: the same key saying who it is gets A's hello back.
  hello.node_id = raw.key().publicKey();
  ASSERT_TRUE(raw.send(hello));
  EXPECT_TRUE(raw.receiveMessage<wire::Hello>(seconds(10)).has_value());
}

}  // namespace
}  // namespace eichub::testing
