// Hostile peers against a real daemon (SECURITY.md checklist, transport and sync cases): a raw
// client with its own CURVE and Ed25519 keys attacks node A while an honest node B is peered
// with it. Each test checks that A stays up, refuses and counts the attack, stores nothing
// unverified, and still syncs with B.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "federation/feed/feed_file.h"
#include "node/home/home.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"
#include "tests/unit/wire/crafted_messages.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kNetwork[] = "test-net";  // NodeProcess initialises every home with it
constexpr uint64_t kRejectLimit = 64;    // sync::SyncOptions::reject_limit, the daemon's default
constexpr uint64_t kMaxRssKb = 200 * 1024;
constexpr int64_t kDayMs = 24 * 3600 * 1000;

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string transportKeyOf(const NodeProcess& node) {
  auto card = home::parsePeerCard(node.card());
  EXPECT_TRUE(card.ok()) << card.status().toString();
  return card.ok() ? card->transport_public_z85 : "";
}

std::string authorHex(const FeedUpdates& feed) { return toHex(headOf(feed).author); }

// Sum of a counter over A's links with that peer (both roles unless role is given).
uint64_t rejected(const nlohmann::json& daemon, const std::string& peer_key,
                  const std::string& reason, const std::string& role = "") {
  uint64_t total = 0;
  if (!daemon.is_object()) return 0;
  for (const auto& link : daemon["links"]) {
    if (link["peer_key"] != peer_key || (!role.empty() && link["role"] != role)) continue;
    const auto& reasons = link["rejected_by_reason"];
    if (reasons.contains(reason)) total += reasons[reason].get<uint64_t>();
  }
  return total;
}

bool throttled(const nlohmann::json& daemon, const std::string& peer_key) {
  if (!daemon.is_object()) return false;
  for (const auto& link : daemon["links"]) {
    if (link["peer_key"] == peer_key && link["throttled"].get<bool>()) return true;
  }
  return false;
}

bool hasLink(const nlohmann::json& daemon, const std::string& peer_key) {
  for (const auto& link : daemon["links"]) {
    if (link["peer_key"] == peer_key) return true;
  }
  return false;
}

std::string dumpReasons(const nlohmann::json& daemon) {
  return daemon.is_object() ? daemon["links"].dump() : "(daemon did not answer)";
}

int daemonPid(const NodeProcess& node) {
  std::ifstream run_file(node.dir() + "/daemon.json");
  nlohmann::json run = nlohmann::json::parse(run_file, nullptr, false);
  return run.is_object() ? run["pid"].get<int>() : -1;
}

// VmRSS of the node's daemon in kB (0 when unreadable).
uint64_t rssKb(const NodeProcess& node) {
  std::ifstream status("/proc/" + std::to_string(daemonPid(node)) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return 0;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class AttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<NodeProcess>(dir_.file("a"), "a cluster", "UKE42");
    b_ = std::make_unique<NodeProcess>(dir_.file("b"), "b cluster", "DE501");
    a_->ok({"publish", resources("a", 20)});
    a_->start();
    b_->start();
    peerBothWays(*a_, *b_);
    ASSERT_TRUE(converged()) << logs();
    a_key_ = transportKeyOf(*a_);
    b_key_ = transportKeyOf(*b_);
  }

  std::string resources(const std::string& name, size_t n) {
    std::string path = dir_.file(name + ".jsonl");
    writeResources(path, name, n);
    return path;
  }
  bool converged(seconds timeout = seconds(20)) {
    return waitFor([&] { return a_->digest() == b_->digest(); }, timeout);
  }
  std::string logs() const { return "see logs: " + a_->logFile() + " " + b_->logFile(); }

  // A raw peer that A (and B, with also_b) admit as a peer and whose author they trust.
  std::unique_ptr<RawPeer> startRaw(ServeScript script, bool also_b = false) {
    auto raw = std::make_unique<RawPeer>(kNetwork, std::set<std::string>{a_key_, b_key_},
                                         std::move(script));
    a_->ok({"peer", "add", raw->card()});
    a_->ok({"trust", "add", raw->nodeIdHex()});
    if (also_b) {
      b_->ok({"peer", "add", raw->card()});
      b_->ok({"trust", "add", raw->nodeIdHex()});
    }
    return raw;
  }

  // (1) A's process is running and its daemon answers status.
  void expectAlive() {
    int pid = daemonPid(*a_);
    ASSERT_GT(pid, 0) << "A's run file is gone; " << logs();
    std::ifstream proc_status("/proc/" + std::to_string(pid) + "/status");
    std::string text((std::istreambuf_iterator<char>(proc_status)), {});
    EXPECT_NE(text.find("State:"), std::string::npos) << "A's process is gone; " << logs();
    EXPECT_EQ(text.find("State:\tZ"), std::string::npos) << "A's process died; " << logs();
    EXPECT_TRUE(a_->daemonStatus().is_object()) << "A's daemon does not answer; " << logs();
  }

  // (4) A still syncs with B both ways: B's new records reach A, A's reach B.
  void expectStillSyncsWithB() {
    const std::string tag = std::to_string(++rounds_);
    b_->ok({"publish", resources("b-after-" + tag, 3)});
    a_->ok({"publish", resources("a-after-" + tag, 3)});
    const std::string a_id = a_->nodeId();
    const std::string b_id = b_->nodeId();
    EXPECT_TRUE(waitFor(
        [&] {
          return a_->seqOf(b_id) == b_->seqOf(b_id) && b_->seqOf(a_id) == a_->seqOf(a_id);
        },
        seconds(20)))
        << "A and B stopped syncing; " << logs();
  }

  // (3) for feeds: what A holds of author is byte for byte the honest feed (headers,
  // signatures and bodies), as `eichub feed export` writes it.
  bool holdsExactly(const NodeProcess& node, const FeedUpdates& honest) {
    const std::string held = dir_.file("held-" + std::to_string(++files_) + ".feed");
    const std::string expected = dir_.file("honest-" + std::to_string(files_) + ".feed");
    node.ok({"feed", "export", "--author", authorHex(honest), "--out", held});
    Status s = feed::writeFeedFile(expected, headOf(honest).author, kNetwork, honest);
    EXPECT_TRUE(s.ok()) << s.toString();
    return readFile(held) == readFile(expected);
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> a_;
  std::unique_ptr<NodeProcess> b_;
  std::string a_key_;
  std::string b_key_;
  int rounds_ = 0;
  int files_ = 0;
};

// A server script that holds no feeds: a peer that only talks.
ServeScript noFeeds() {
  return [](const std::string&, const wire::Message& message) {
    return honestAnswer(kNetwork, {}, message);
  };
}

// ---- Case 1: bytes that are not a valid message ----

TEST_F(AttackTest, MalformedMessagesAreRefusedAndCounted) {
  auto raw = startRaw(noFeeds());
  const std::string raw_key = raw->transportKeys().public_z85;
  raw->connect(a_->card());
  ASSERT_TRUE(raw->waitUp(seconds(10))) << logs();
  wire::Hello hello = helloWithHeads(kNetwork, {});
  ASSERT_TRUE(raw->send(hello));
  ASSERT_TRUE(raw->receiveA<wire::Hello>(seconds(10))) << "A never answered hello; " << logs();
  const std::string digest_before = a_->digest();

  Bytes truncated = wire::encode(hello);
  truncated.resize(truncated.size() - 8);
  Bytes random(1000);
  for (size_t i = 0; i < random.size(); ++i) random[i] = static_cast<uint8_t>(i * 131 + 7);
  const std::vector<Bytes> malformed = {
      Bytes{'n', 'o', 't', ' ', 'c', 'a', 'p', 'n', 'p'},
      random,
      truncated,
      Bytes{},
      wire::crafted::craftSelfPointer(),
      wire::crafted::craftFarPointerLoop(),
      wire::crafted::craftAmplifiedUpdates(8, 1024),
      wire::crafted::craftZeroSizeElements(1u << 28),
      Bytes(wire::kMaxMessageBytes, 0xAB),  // at the limit: delivered, then refused
  };
  for (const Bytes& bytes : malformed) ASSERT_TRUE(raw->sendBytes(bytes));
  ASSERT_TRUE(waitFor(
      [&] {
        return rejected(a_->daemonStatus(), raw_key, "malformed message", "server") >=
               malformed.size();
      },
      seconds(10)))
      << dumpReasons(a_->daemonStatus());
  EXPECT_EQ(raw->disconnects(), 0u) << "a message at the size limit must not cost the link";

  // Over the limit: the socket drops the connection before the daemon sees anything.
  const uint64_t handshakes = raw->handshakes();
  ASSERT_TRUE(raw->sendBytes(Bytes(wire::kMaxMessageBytes + 1, 0xCD)));
  ASSERT_TRUE(waitFor(
      [&] {
        raw->pumpMonitor();
        return raw->disconnects() > 0;
      },
      seconds(10)))
      << "A kept a link that sent " << wire::kMaxMessageBytes + 1 << " bytes";
  // The DEALER reconnects by itself; the fresh session works.
  ASSERT_TRUE(waitFor(
      [&] {
        raw->pumpMonitor();
        return raw->handshakes() > handshakes;
      },
      seconds(10)));
  ASSERT_TRUE(raw->send(hello));
  EXPECT_TRUE(raw->receiveA<wire::Hello>(seconds(10))) << logs();
  EXPECT_EQ(rejected(a_->daemonStatus(), raw_key, "malformed message", "server"),
            malformed.size());

  expectAlive();
  EXPECT_EQ(a_->digest(), digest_before);
  expectStillSyncsWithB();
}

// ---- Case 2: a batch with a forged signature or a tampered header ----

enum class Forgery { kTamperedMiddleHeader, kForgedLastSignature, kForgedMiddleSignature };

FeedUpdates forge(FeedUpdates feed, Forgery forgery) {
  feed::SignedUpdate& middle = feed[feed.size() / 2];
  switch (forgery) {
    case Forgery::kTamperedMiddleHeader: {
      // Still a canonical, well-formed header that links to its predecessor and matches its
      // body; only the time moved, so the next header's prev no longer matches it.
      auto fields = feed::decodeHeader(middle.header);
      EICHUB_CHECK(fields.ok());
      fields->time_ms += 1;
      middle.header = feed::encodeHeader(*fields);
      break;
    }
    case Forgery::kForgedLastSignature:
      feed.back().signature[10] ^= 0x01;
      break;
    case Forgery::kForgedMiddleSignature:
      middle.signature[10] ^= 0x01;
      break;
  }
  return feed;
}

class ForgedBatchTest : public AttackTest {
 protected:
  // The raw peer announces its honest head but answers every want with the forged feed.
  // Returns once A refused it at least twice (the first want and a re-ask).
  void attack(Forgery forgery, const std::string& reason) {
    const std::string digest_before = a_->digest();
    auto signer = crypto::SigningKey::generate();
    ASSERT_TRUE(signer.ok());
    // The raw peer's own key signs its feed: A accepts that author (it is a configured peer).
    std::unique_ptr<RawPeer> raw;
    FeedUpdates honest;
    FeedUpdates forged;
    auto feeds = std::make_shared<std::vector<FeedUpdates>>();
    raw = startRaw([feeds](const std::string&, const wire::Message& message) {
      return honestAnswer(kNetwork, *feeds, message);
    });
    // The script reads *feeds; it is filled before A can connect? No: A connects as soon as the
    // card is added. So build the feed first and restart: see startForgingRaw below.
    (void)honest;
    (void)forged;
    (void)reason;
    (void)digest_before;
  }
};

}  // namespace
}  // namespace eichub::testing
