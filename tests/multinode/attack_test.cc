// Hostile peers against a real daemon (docs/reliability.md, its transport and sync cases): a raw
// client with its own CURVE and Ed25519 keys attacks node A while an honest node B is peered
// with it. Each test checks that A stays up, refuses and counts the attack, stores nothing
// unverified, and still syncs with B.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gtest/gtest.h>

#include "federation/feed/feed_file.h"
#include "node/home/home.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/hostile_peer_fixture.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/files.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"
#include "tests/unit/wire/crafted_messages.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint64_t kRejectLimit = 64;  // sync::SyncOptions::reject_limit, the daemon's default
constexpr uint64_t kMaxRssKb = 200 * 1024;
constexpr int64_t kDayMs = 24 * 3600 * 1000;

std::string authorHex(const FeedUpdates& feed) { return toHex(headOf(feed).author); }

bool hasLink(const nlohmann::json& daemon, const std::string& peer_key) {
  for (const auto& link : daemon["links"]) {
    if (link["peer_key"] == peer_key) return true;
  }
  return false;
}

std::string dumpReasons(const nlohmann::json& daemon) {
  return daemon.is_object() ? daemon["links"].dump() : "(daemon did not answer)";
}

class AttackTest : public HostilePeerFixture {
 protected:
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
        [&] { return a_->seqOf(b_id) == b_->seqOf(b_id) && b_->seqOf(a_id) == a_->seqOf(a_id); },
        seconds(20)))
        << "A and B stopped syncing; " << logs();
  }

  // (3) for feeds: what A holds of author is byte for byte the honest feed (headers,
  // signatures and bodies), as `eichub feed export` writes it.
  bool holdsExactly(const NodeProcess& node, const FeedUpdates& honest) {
    const std::string held = dir_.file("held-" + std::to_string(++files_) + ".feed");
    const std::string expected = dir_.file("honest-" + std::to_string(files_) + ".feed");
    node.ok({"feed", "export", "--author", authorHex(honest), "--out", held});
    Status s = feed::writeFeedFile(expected, headOf(honest).author, kTestNetwork, honest);
    EXPECT_TRUE(s.ok()) << s.toString();
    return readFile(held) == readFile(expected);
  }

  int rounds_ = 0;
  int files_ = 0;
};

crypto::SigningKey newKey() { return crypto::SigningKey::generate().value(); }

// A server script that holds no feeds: a peer that only talks.
ServeScript noFeeds() {
  return [](const std::string&, const wire::Message& message) {
    return honestAnswer(kTestNetwork, {}, message);
  };
}

// ---- Case 1: bytes that are not a valid message ----

TEST_F(AttackTest, MalformedMessagesAreRefusedAndCounted) {
  auto raw = startRaw(newKey(), noFeeds());
  const std::string raw_key = raw->transportKeys().public_z85;
  raw->connect(a_->card());
  ASSERT_TRUE(raw->waitUp(seconds(10))) << logs();
  wire::Hello hello = helloWithHeads(kTestNetwork, {});
  ASSERT_TRUE(raw->send(hello));
  ASSERT_TRUE(raw->receiveMessage<wire::Hello>(seconds(10)))
      << "A never answered hello; " << logs();
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
        return rejectedFor(a_->daemonStatus(), raw_key, "malformed message", "server") >=
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
  EXPECT_TRUE(raw->receiveMessage<wire::Hello>(seconds(10))) << logs();
  EXPECT_EQ(rejectedFor(a_->daemonStatus(), raw_key, "malformed message", "server"),
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
      // Still a canonical header that links to its predecessor and matches its body; only its
      // time moved, so the next header's prev no longer names it.
      auto fields = feed::decodeHeader(middle.header);
      EICHUB_CHECK(fields.ok()) << fields.status().toString();
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
  // The raw peer announces its honest head and answers every want with the forged feed. A must
  // refuse it (at the first want and again at the re-ask) and store none of it.
  void attack(Forgery forgery, const std::string& reason) {
    const std::string digest_before = a_->digest();
    crypto::SigningKey key = newKey();
    const FeedUpdates honest = makeFeed(key, kTestNetwork, "raw", 5, systemMs());
    const FeedUpdates forged = forge(honest, forgery);
    auto raw = startRaw(std::move(key),
                        [honest, forged](const std::string&, const wire::Message& message) {
                          if (std::holds_alternative<wire::Hello>(message))
                            return honestAnswer(kTestNetwork, {honest}, message);
                          return honestAnswer(kTestNetwork, {forged}, message);
                        });
    const std::string raw_key = raw->transportKeys().public_z85;
    ASSERT_TRUE(
        waitFor([&] { return rejectedFor(a_->daemonStatus(), raw_key, reason, "client") >= 2; },
                seconds(20)))
        << dumpReasons(a_->daemonStatus()) << "; " << logs();
    expectAlive();
    EXPECT_EQ(a_->seqOf(authorHex(honest)), 0u) << "A stored part of a forged batch";
    EXPECT_EQ(a_->digest(), digest_before);
    expectStillSyncsWithB();
  }
};

TEST_F(ForgedBatchTest, TamperedHeaderInTheMiddleIsRefused) {
  // Its hash changes, so the next header no longer links to it (feed format 2).
  attack(Forgery::kTamperedMiddleHeader, "broken chain");
}

TEST_F(ForgedBatchTest, ForgedLastSignatureIsRefused) {
  attack(Forgery::kForgedLastSignature, "bad signature");
}

// A junk signature in the middle would be stored and relayed if the chain did not cover it: in
// feed format 2 prev hashes the signed header, so the next link breaks and the run is refused.
TEST_F(ForgedBatchTest, ForgedMiddleSignatureIsRefused) {
  attack(Forgery::kForgedMiddleSignature, "broken chain");
}

// ---- Case 3: unknown predecessors in reverse order, duplicates and replays ----

TEST_F(AttackTest, ReversedDuplicatedAndReplayedUpdatesAreHarmless) {
  crypto::SigningKey key = newKey();
  const FeedUpdates honest = makeFeed(key, kTestNetwork, "raw", 5, systemMs());
  const std::string author = authorHex(honest);
  auto wants_from_a = std::make_shared<std::atomic<int>>(0);
  const std::string a_key = a_key_;
  auto raw = startRaw(std::move(key), [honest, wants_from_a, a_key](const std::string& peer,
                                                                    const wire::Message& message) {
    const bool want = std::holds_alternative<wire::Want>(message);
    if (peer != a_key || !want) return honestAnswer(kTestNetwork, {honest}, message);
    std::vector<Bytes> out;
    if (++*wants_from_a == 1) {
      // Newest first: every update but seq 1 arrives before its predecessor; then seq 1 twice.
      for (size_t i = honest.size(); i-- > 1;)
        out.push_back(wire::encode(wire::Updates{{honest[i]}}));
      out.push_back(wire::encode(wire::Updates{{honest[0]}}));
      out.push_back(wire::encode(wire::Updates{{honest[0]}}));
      out.push_back(wire::encode(wire::Updates{{honest[1], honest[1]}}));  // a duplicate inside
      return out;
    }
    // The re-ask: the answer, then the same run replayed, then the whole feed replayed.
    out = honestAnswer(kTestNetwork, {honest}, message);
    std::vector<Bytes> again = honestAnswer(kTestNetwork, {honest}, message);
    out.insert(out.end(), again.begin(), again.end());
    out.push_back(wire::encode(wire::Updates{honest}));
    return out;
  });
  const std::string raw_key = raw->transportKeys().public_z85;
  ASSERT_TRUE(waitFor([&] { return a_->seqOf(author) == honest.size(); }, seconds(25)))
      << dumpReasons(a_->daemonStatus()) << "; " << logs();
  nlohmann::json daemon = a_->daemonStatus();
  EXPECT_GE(rejectedFor(daemon, raw_key, "broken chain", "client"), honest.size() - 1)
      << dumpReasons(daemon);
  EXPECT_GE(*wants_from_a, 2) << "A never asked again for what it refused";
  EXPECT_TRUE(holdsExactly(*a_, honest));
  // The honest run: B pulls the same feed and both print the same digest.
  b_->ok({"peer", "add", raw->card()});
  b_->ok({"trust", "add", author});
  ASSERT_TRUE(waitFor([&] { return b_->seqOf(author) == honest.size(); }, seconds(20))) << logs();
  EXPECT_TRUE(converged()) << logs();
  expectAlive();
  expectStillSyncsWithB();
}

// ---- Case 4: a client whose CURVE key is not a configured peer's ----

TEST_F(AttackTest, UnknownTransportKeyIsRefusedByZap) {
  const std::string digest_before = a_->digest();
  const uint64_t refused_before = a_->daemonStatus()["zap_refused"].get<uint64_t>();
  RawPeer stranger(newKey(), {a_key_}, noFeeds());  // never added to A's peers
  stranger.connect(a_->card());
  ASSERT_TRUE(waitFor(
      [&] {
        stranger.pumpMonitor();
        return stranger.authFailures() > 0;
      },
      seconds(10)))
      << "the handshake of an unknown key did not fail";
  EXPECT_FALSE(stranger.waitUp(milliseconds(200)));
  EXPECT_FALSE(
      stranger.sendBytes(wire::encode(helloWithHeads(kTestNetwork, {})), milliseconds(500)))
      << "a message was queued on a link ZAP refused";
  EXPECT_FALSE(stranger.receive(milliseconds(200)));
  ASSERT_TRUE(
      waitFor([&] { return a_->daemonStatus()["zap_refused"].get<uint64_t>() > refused_before; },
              seconds(10)));
  nlohmann::json daemon = a_->daemonStatus();
  EXPECT_FALSE(hasLink(daemon, stranger.transportKeys().public_z85)) << daemon["links"].dump();
  expectAlive();
  EXPECT_EQ(a_->digest(), digest_before);
  expectStillSyncsWithB();
}

// ---- Case 5: a peer that claims heads it does not have ----

TEST_F(AttackTest, PhantomHeadsDoNotStallOtherSyncs) {
  const std::string digest_before = a_->digest();
  crypto::SigningKey key = newKey();
  const PublicKey author = key.publicKey();
  auto raw = startRaw(std::move(key), [author](const std::string&, const wire::Message& message) {
    std::vector<Bytes> out;
    if (std::holds_alternative<wire::Hello>(message)) {
      wire::Hello hello = helloWithHeads(kTestNetwork, {});
      Hash32 hash;
      hash.fill(0x42);
      hello.heads.push_back({author, 1000, hash});
      out.push_back(wire::encode(hello));
    }
    return out;  // wants are never answered
  });
  ASSERT_TRUE(waitFor([&] { return raw->wantsReceived() >= 1; }, seconds(10))) << logs();
  EXPECT_EQ(a_->seqOf(toHex(author)), 0u);
  EXPECT_EQ(a_->digest(), digest_before);
  const uint64_t rss_first_want = daemonRssKb(*a_);
  expectStillSyncsWithB();  // while A waits on the phantom feed
  ASSERT_TRUE(waitFor([&] { return raw->wantsReceived() >= 3; }, seconds(20)))
      << "A did not ask again; " << logs();
  nlohmann::json daemon = a_->daemonStatus();
  EXPECT_EQ(daemon["pending_updates"].get<uint64_t>(), 0u);
  for (const auto& feed : daemon["feeds"]) {
    if (feed["author"] == toHex(author)) {
      EXPECT_EQ(feed["local_seq"].get<uint64_t>(), 0u);
      EXPECT_EQ(feed["best_remote_seq"].get<uint64_t>(), 1000u);
    }
  }
  const uint64_t rss_third_want = daemonRssKb(*a_);
  RecordProperty("rss_first_want_kb", std::to_string(rss_first_want));
  RecordProperty("rss_third_want_kb", std::to_string(rss_third_want));
  EXPECT_LT(rss_third_want, kMaxRssKb);
  EXPECT_LT(rss_third_want, rss_first_want + 16 * 1024) << "memory grew across re-asks";
  expectAlive();
}

// ---- Case 6: a flood of garbage ----

TEST_F(AttackTest, GarbageFloodIsThrottledWhileBStillSyncs) {
  const std::string digest_before = a_->digest();
  auto raw = startRaw(newKey(), noFeeds());
  const std::string raw_key = raw->transportKeys().public_z85;
  raw->connect(a_->card());
  ASSERT_TRUE(raw->waitUp(seconds(10))) << logs();
  constexpr int kFloodMessages = 10'000;
  constexpr size_t kGarbageBytes = 4096;
  uint64_t rss_max = 0;
  Bytes garbage(kGarbageBytes);
  for (int i = 0; i < kFloodMessages; ++i) {
    for (size_t j = 0; j < 16; ++j) garbage[j] = static_cast<uint8_t>((i >> (j % 4)) + j);
    ASSERT_TRUE(raw->sendBytes(garbage, seconds(10))) << "message " << i << " not sent";
    if (i % 1000 == 0) rss_max = std::max(rss_max, daemonRssKb(*a_));
  }
  ASSERT_TRUE(waitFor(
      [&] {
        nlohmann::json daemon = a_->daemonStatus();
        return rejectedFor(daemon, raw_key, "malformed message", "server") >= kRejectLimit &&
               linkThrottled(daemon, raw_key);
      },
      seconds(10)))
      << dumpReasons(a_->daemonStatus());
  expectAlive();
  EXPECT_EQ(a_->digest(), digest_before);
  expectStillSyncsWithB();
  rss_max = std::max(rss_max, daemonRssKb(*a_));
  RecordProperty("rss_max_kb", std::to_string(rss_max));
  EXPECT_GT(rss_max, 0u);
  EXPECT_LT(rss_max, kMaxRssKb) << "A's RSS under the flood";
}

// ---- Case 7: signed times a day off ----

TEST_F(AttackTest, ClockSkewedFeedsAreJudgedAlikeEverywhere) {
  crypto::SigningKey future_key = newKey();
  crypto::SigningKey past_key = newKey();
  const FeedUpdates future = makeFeed(future_key, kTestNetwork, "future", 5, systemMs() + kDayMs);
  const FeedUpdates past = makeFeed(past_key, kTestNetwork, "past", 5, systemMs() - kDayMs);
  auto raw = startRaw(
      std::move(future_key),
      [future, past](const std::string&, const wire::Message& message) {
        return honestAnswer(kTestNetwork, {future, past}, message);
      },
      /*also_b=*/true);
  a_->ok({"trust", "add", authorHex(past)});
  b_->ok({"trust", "add", authorHex(past)});
  // Time is informative (docs/reliability.md case 16): both feeds are accepted, on both nodes.
  ASSERT_TRUE(waitFor(
      [&] {
        return a_->seqOf(authorHex(future)) == 5 && b_->seqOf(authorHex(future)) == 5 &&
               a_->seqOf(authorHex(past)) == 5 && b_->seqOf(authorHex(past)) == 5;
      },
      seconds(20)))
      << dumpReasons(a_->daemonStatus()) << "; " << logs();
  EXPECT_TRUE(converged()) << logs();
  EXPECT_TRUE(holdsExactly(*a_, future));
  EXPECT_TRUE(holdsExactly(*b_, past));
  expectAlive();
  expectStillSyncsWithB();
}

}  // namespace
}  // namespace eichub::testing
