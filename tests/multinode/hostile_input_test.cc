// More hostile peers against a real daemon (docs/reliability.md cases 3, 13, 15 and 24), beside
// attack_test.cc: an update signed for another network, head claims at the top of the seq
// range, bodies swapped between updates, and a pre-authentication connection flood. Each
// checks that A refuses and counts, stores nothing it should not, keeps its digest and still
// syncs with the honest node B.
#include <chrono>
#include <filesystem>
#include <limits>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/faults/figures.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/hostile_peer_fixture.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::seconds;

size_t openFds(const NodeProcess& node) {
  const int pid = daemonPid(node);
  if (pid <= 0) return 0;
  std::error_code ec;
  auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
  return ec ? 0 : static_cast<size_t>(std::distance(it, std::filesystem::directory_iterator()));
}

class HostileInputTest : public HostilePeerFixture {
 protected:
  // A is up, and B's new records reach A.
  void expectUnharmed(const std::string& tag) {
    EXPECT_TRUE(a_->daemonStatus().is_object()) << "A's daemon does not answer";
    b_->ok({"publish", resources("b-" + tag, 5)});
    EXPECT_TRUE(converged()) << "A and B stopped syncing; see " << a_->logFile();
  }
};

// Case 3: validly signed updates of a trusted author, but for another network.
TEST_F(HostileInputTest, UpdatesOfAnotherNetworkAreRefused) {
  const std::string digest_before = a_->digest();
  crypto::SigningKey key = crypto::SigningKey::generate().value();
  const FeedUpdates foreign = makeFeed(key, "other-net", "foreign", 5, systemMs());
  const FeedUpdates ours = makeFeed(key, kTestNetwork, "foreign", 5, systemMs());
  auto raw = startRaw(std::move(key), [ours, foreign](const std::string&, const wire::Message& m) {
    if (std::holds_alternative<wire::Hello>(m)) return honestAnswer(kTestNetwork, {ours}, m);
    return honestAnswer(kTestNetwork, {foreign}, m);
  });
  const std::string raw_key = raw->transportKeys().public_z85;
  ASSERT_TRUE(waitFor(
      [&] { return rejectedFor(a_->daemonStatus(), raw_key, "invalid update") >= 2; }, seconds(30)))
      << a_->daemonStatus().dump();
  EXPECT_EQ(a_->seqOf(raw->nodeIdHex()), 0u);
  EXPECT_EQ(a_->digest(), digest_before);
  expectUnharmed("network");
}

// Case 15: a header with another update's body (mix-and-match).
TEST_F(HostileInputTest, SwappedBodiesAreRefused) {
  const std::string digest_before = a_->digest();
  crypto::SigningKey key = crypto::SigningKey::generate().value();
  const FeedUpdates honest = makeFeed(key, kTestNetwork, "swap", 4, systemMs());
  FeedUpdates swapped = honest;
  std::swap(swapped[1].body, swapped[2].body);
  auto raw =
      startRaw(std::move(key), [honest, swapped](const std::string&, const wire::Message& m) {
        if (std::holds_alternative<wire::Hello>(m)) return honestAnswer(kTestNetwork, {honest}, m);
        return honestAnswer(kTestNetwork, {swapped}, m);
      });
  const std::string raw_key = raw->transportKeys().public_z85;
  ASSERT_TRUE(waitFor(
      [&] { return rejectedFor(a_->daemonStatus(), raw_key, "invalid update") >= 2; }, seconds(30)))
      << a_->daemonStatus().dump();
  EXPECT_EQ(a_->seqOf(raw->nodeIdHex()), 0u);
  EXPECT_EQ(a_->digest(), digest_before);
  expectUnharmed("swap");
}

// Case 13: heads claimed at 2^64-1 and 2^63 are hints, never heads: A takes the three updates
// that exist, asks again without overflowing, and ends where an honest run ends.
TEST_F(HostileInputTest, HeadClaimsAtTheTopOfTheSeqRangeMoveNoHead) {
  crypto::SigningKey key = crypto::SigningKey::generate().value();
  const FeedUpdates feed = makeFeed(key, kTestNetwork, "ff", 3, systemMs());
  const std::string a_key = a_key_;
  auto raw =
      startRaw(std::move(key), [feed, a_key](const std::string& peer, const wire::Message& m) {
        if (peer == a_key && std::holds_alternative<wire::Hello>(m)) {
          wire::Hello hello = helloWithHeads(kTestNetwork, {feed});
          hello.heads.front().seq = std::numeric_limits<uint64_t>::max();
          hello.heads.push_back(hello.heads.front());
          hello.heads.back().seq = uint64_t{1} << 63;
          return std::vector<Bytes>{wire::encode(hello)};
        }
        return honestAnswer(kTestNetwork, {feed}, m);
      });
  const std::string author = raw->nodeIdHex();
  ASSERT_TRUE(waitFor([&] { return a_->seqOf(author) == 3; }, seconds(30)))
      << a_->daemonStatus().dump();
  ASSERT_TRUE(waitFor([&] { return raw->wantsReceived() >= 3; }, seconds(30)))
      << "A stopped asking";
  EXPECT_EQ(a_->seqOf(author), 3u) << "a head moved on an unsigned claim";
  // The honest run: B pulls the same feed with honest heads.
  b_->ok({"peer", "add", raw->card()});
  b_->ok({"trust", "add", author});
  ASSERT_TRUE(waitFor([&] { return b_->seqOf(author) == 3; }, seconds(30)));
  EXPECT_TRUE(converged());
  expectUnharmed("ff");
}

// Case 24: 300 TCP connections to A's peer port that never authenticate (silent, a partial
// greeting, garbage). B keeps syncing; A drops the stalled handshakes and its descriptors
// return to their level before the flood.
TEST_F(HostileInputTest, PreAuthConnectionFloodDoesNotStarveHonestPeers) {
  constexpr int kConnections = 300;
  const int port = peerPort(*a_);
  const size_t fds_before = openFds(*a_);
  std::vector<int> sockets;
  for (int i = 0; i < kConnections; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    static constexpr char kSignature[] = "\xff\0\0\0\0\0\0\0\x01\x7f";  // ZMTP's first bytes
    if (i % 3 == 1) (void)::send(fd, kSignature, 10, MSG_NOSIGNAL);     // a partial greeting
    if (i % 3 == 2) (void)::send(fd, "garbage garbage garbage", 23, MSG_NOSIGNAL);
    sockets.push_back(fd);
  }
  const size_t fds_flooded = openFds(*a_);
  b_->ok({"publish", resources("b-flood", 2000)});
  EXPECT_TRUE(converged()) << "B's updates did not reach A during the flood";
  // Stalled handshakes close after the handshake interval (5 s).
  EXPECT_TRUE(waitFor([&] { return openFds(*a_) <= fds_before + 10; }, seconds(30)))
      << "A holds " << openFds(*a_) << " descriptors, " << fds_before << " before the flood";
  for (int fd : sockets) ::close(fd);
  expectUnharmed("after-flood");
  reportFigures({{"case", 24},
                 {"test", "hostile.preauth_flood"},
                 {"connections", kConnections},
                 {"fds_before", fds_before},
                 {"fds_during_flood", fds_flooded},
                 {"honest_sync", !HasFailure()}});
}

}  // namespace
}  // namespace eichub::testing
