// RawPeer: a hostile (or scripted) peer for multi-process tests. It holds its own CURVE key pair
// and Ed25519 node key, serves a scripted ROUTER that nodes under test pull from, and opens a
// DEALER to a node through which it sends arbitrary bytes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/update.h"
#include "federation/transport/curve_keys.h"
#include "federation/transport/sockets.h"
#include "federation/wire/messages.h"

namespace eichub::testing {

// One feed the raw peer serves: an author's updates from seq 1 on, oldest first.
using FeedUpdates = std::vector<feed::SignedUpdate>;

// What the serving ROUTER does with a message a node sent it (already decoded): the payloads
// to send back to that node, in order. Runs on the serving thread; it must only read state that
// does not change while the peer serves (or atomics). peer_key is the node's CURVE key (Z85).
using ServeScript =
    std::function<std::vector<Bytes>(const std::string& peer_key, const wire::Message& message)>;
// What the serving ROUTER sends unasked, about every 20 ms, to each node that has sent it a
// message: pushes and floods. Runs on the serving thread, under the same rule as ServeScript.
using PushScript = std::function<std::vector<Bytes>(const std::string& peer_key)>;

// An honest server of feeds: answers hello with their heads and a want with the updates asked
// for (without bodies if it asks so), within its credit, in runs of at most
// wire::kMaxBatchUpdates.
std::vector<Bytes> honestAnswer(const std::string& network, const std::vector<FeedUpdates>& feeds,
                                const wire::Message& message);
// A hello advertising feeds' heads (the head of each feed's last update).
wire::Hello helloWithHeads(const std::string& network, const std::vector<FeedUpdates>& feeds);
// The head of a feed's last update.
wire::HeadInfo headOf(const FeedUpdates& feed);

// n LearningResource upserts (ids prefix/0..n-1) signed by key as a feed from seq 1, with
// header times time_ms, time_ms + 1, ...
FeedUpdates makeFeed(const crypto::SigningKey& key, const std::string& network,
                     const std::string& prefix, size_t n, int64_t time_ms);
// base followed by n more such upserts (ids prefix/0..n-1) signed by key: a branch of base
// when two callers extend the same base differently (a fork, docs/reliability.md case 12).
FeedUpdates extendFeed(const crypto::SigningKey& key, const std::string& network,
                       const FeedUpdates& base, const std::string& prefix, size_t n,
                       int64_t time_ms);

// A hello the peer sends (scripted or by send) with no node id carries key's, as a real node's
// does; nodes check it against the peer card (identity_mismatch, docs/reliability.md case 25).
class RawPeer {
 public:
  // Starts serving at once on tcp://127.0.0.1:* with a ZAP handler that admits only
  // allowed_keys (the nodes' CURVE keys, Z85). script answers every message a node sends. key is
  // the peer's node id (and the author of the feed it publishes); a fresh transport key pair is
  // made here. push, when given, also sends unasked (PushScript).
  RawPeer(crypto::SigningKey key, std::set<std::string> allowed_keys, ServeScript script,
          PushScript push = {});
  ~RawPeer();  // stops serving, closes every socket
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;

  // This peer's card, for `eichub peer add`.
  std::string card() const;
  std::string nodeIdHex() const;
  const crypto::SigningKey& key() const { return key_; }
  const transport::CurveKeyPair& transportKeys() const { return keys_; }
  const std::string& endpoint() const { return endpoint_; }

  // ---- Client side (call from the test thread only) ----
  // Opens the DEALER to the node whose card this is (replacing an earlier one).
  // receive_hwm and receive_buffer (bytes, 0: the kernel's) size what the DEALER takes in
  // before it stops reading: small values make a peer that never reads (case 28).
  void connect(const std::string& node_card, int receive_hwm = 1000, int receive_buffer = 0);
  // Polls the DEALER's monitor until the CURVE handshake succeeded; false at the deadline.
  bool waitUp(std::chrono::milliseconds timeout);
  // Sends one message; false when it could not be queued before the timeout (no link).
  bool sendBytes(ByteView bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send(const wire::Message& message) { return sendBytes(wire::encode(message)); }
  // The next message from the node, or nullopt at the deadline. Keeps the monitor drained.
  std::optional<Bytes> receive(std::chrono::milliseconds timeout);
  // The next message from the node that decodes as T (others are skipped).
  template <typename T>
  std::optional<T> receiveMessage(std::chrono::milliseconds timeout);
  // Reads pending monitor events and updates the counters below.
  void pumpMonitor();
  uint64_t handshakes() const { return handshakes_; }
  uint64_t disconnects() const { return disconnects_; }
  uint64_t authFailures() const { return auth_failures_; }

  // ---- Server side counters (any thread) ----
  uint64_t messagesServed() const { return served_.load(); }
  uint64_t wantsReceived() const { return wants_.load(); }
  // Pushed messages the ROUTER took (it drops silently what a node's full queue cannot take).
  uint64_t messagesPushed() const { return pushed_.load(); }

 private:
  void serve(std::set<std::string> allowed_keys, ServeScript script);
  // Sends push's payloads to every node in `to` (routing id -> CURVE key). The ROUTER is not
  // mandatory: what a full queue or a gone connection cannot take is dropped. Serving thread.
  void pushAll(zmq::socket_t& socket, const std::map<std::string, std::string>& to,
               const PushScript& push);

  crypto::SigningKey key_;
  transport::CurveKeyPair keys_;
  zmq::context_t context_;
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> served_{0};
  std::atomic<uint64_t> wants_{0};
  std::atomic<uint64_t> pushed_{0};
  std::thread server_;

  zmq::socket_t dealer_;
  zmq::socket_t monitor_;
  uint64_t monitor_generation_ = 0;
  uint64_t handshakes_ = 0;
  uint64_t disconnects_ = 0;
  uint64_t auth_failures_ = 0;
  bool up_ = false;  // the last monitor event was a successful handshake
};

template <typename T>
std::optional<T> RawPeer::receiveMessage(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto bytes = receive(left);
    if (!bytes) return std::nullopt;
    auto message = wire::decode(*bytes);
    if (!message.ok()) continue;
    if (auto* wanted = std::get_if<T>(&*message)) return std::move(*wanted);
  }
}

}  // namespace eichub::testing
