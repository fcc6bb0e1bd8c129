// Limits set in config.toml reach a real daemon's peer side: a small limits.sync.serve_budget_bytes
// is announced in A's hello and stops what A serves a peer that never acknowledges at that budget;
// a small limits.transport.max_message_bytes lets a message of that size through and cuts the link
// of one a byte larger.
#include <chrono>
#include <memory>
#include <set>

#include <gtest/gtest.h>

#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/multinode/raw_peer.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kNetwork[] = "test-net";         // NodeProcess initialises every home with it
constexpr uint64_t kServeBudgetBytes = 65'536;  // the smallest limits.sync.serve_budget_bytes
constexpr uint64_t kMaxMessageBytes = 1 << 20;  // the smallest limits.transport.max_message_bytes
constexpr size_t kRecords = 40;
constexpr size_t kBodyBytes = 20'000;  // 40 records of 20 kB: 12 budgets' worth

class LimitsPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = std::make_unique<NodeProcess>(dir_.file("a"), "a cluster", "UKE42");
    ASSERT_TRUE(a_->editConfig("# serve_budget_bytes = 16777216",
                               "serve_budget_bytes = " + std::to_string(kServeBudgetBytes)));
    ASSERT_TRUE(a_->editConfig("# max_message_bytes = 8388608",
                               "max_message_bytes = " + std::to_string(kMaxMessageBytes)));
    // The send queue must hold a budget and a message past it (checked at load).
    ASSERT_TRUE(a_->editConfig("# send_queue_bytes = 33554432", "send_queue_bytes = 2097152"));
    const std::string records = dir_.file("a.jsonl");
    writeResources(records, "a", kRecords, kBodyBytes);
    a_->ok({"publish", records});
    a_->start();
    raw_ = std::make_unique<RawPeer>(
        crypto::SigningKey::generate().value(), std::set<std::string>{transportKeyOf(*a_)},
        [](const std::string&, const wire::Message& m) { return honestAnswer(kNetwork, {}, m); });
    a_->ok({"peer", "add", raw_->card()});
    raw_->connect(a_->card());
    ASSERT_TRUE(raw_->waitUp(seconds(10))) << a_->logFile();
    ASSERT_TRUE(raw_->send(helloWithHeads(kNetwork, {})));
    auto hello = raw_->receiveMessage<wire::Hello>(seconds(10));
    ASSERT_TRUE(hello) << "A never answered hello; " << a_->logFile();
    a_hello_ = *hello;
  }

  TempDir dir_;
  std::unique_ptr<NodeProcess> a_;
  std::unique_ptr<RawPeer> raw_;
  wire::Hello a_hello_;
};

TEST_F(LimitsPeerTest, AConfiguredServeBudgetIsAnnouncedAndBoundsWhatAPeerIsSent) {
  EXPECT_EQ(a_hello_.serve_budget_bytes, kServeBudgetBytes);
  const std::string a_id = a_->nodeId();
  auto author = fixedFromHex<32>(a_id);
  ASSERT_TRUE(author);
  ASSERT_GE(a_->seqOf(a_id), kRecords);
  // The whole feed asked for, and nothing ever acknowledged (no held_seq).
  ASSERT_TRUE(raw_->send(wire::Want{*author, 1, 4096}));
  ASSERT_TRUE(waitFor(
      [&] {
        nlohmann::json daemon = a_->daemonStatus();
        return daemon.is_object() &&
               daemon["wants_refused"].value("byte budget full", uint64_t{0}) > 0;
      },
      seconds(20)))
      << a_->daemonStatus().dump() << " " << a_->logFile();
  // What A sent stops at the budget; the update that crossed it is the one past it.
  uint64_t updates = 0;
  uint64_t bytes = 0;
  uint64_t largest = 0;
  while (auto sent = raw_->receiveMessage<wire::Updates>(milliseconds(1500))) {
    for (const feed::SignedUpdate& update : sent->updates) {
      const uint64_t size = update.header.size() + update.signature.size() + update.body.size();
      bytes += size;
      largest = std::max(largest, size);
      ++updates;
    }
  }
  EXPECT_GT(updates, 0u);
  EXPECT_LT(updates, kRecords);
  EXPECT_LE(bytes, kServeBudgetBytes + largest);
}

TEST_F(LimitsPeerTest, AConfiguredMaxMessageSizeLetsItsSizeThroughAndCutsOneByteMore) {
  const std::string raw_key = raw_->transportKeys().public_z85;
  // At the limit: delivered to the daemon, which refuses it as no message.
  ASSERT_TRUE(raw_->sendBytes(Bytes(kMaxMessageBytes, 0xAB)));
  ASSERT_TRUE(waitFor(
      [&] { return rejectedFor(a_->daemonStatus(), raw_key, "malformed message", "server") > 0; },
      seconds(10)))
      << a_->daemonStatus().dump();
  raw_->pumpMonitor();
  EXPECT_EQ(raw_->disconnects(), 0u) << "a message at the configured limit cost the link";
  // One byte over: the socket drops the connection before the daemon reads it.
  ASSERT_TRUE(raw_->sendBytes(Bytes(kMaxMessageBytes + 1, 0xCD)));
  EXPECT_TRUE(waitFor(
      [&] {
        raw_->pumpMonitor();
        return raw_->disconnects() > 0;
      },
      seconds(10)))
      << "A kept a link that sent " << kMaxMessageBytes + 1 << " bytes";
}

}  // namespace
}  // namespace eichub::testing
