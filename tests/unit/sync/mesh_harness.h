// Several sync engines wired in memory, each over a real LMDB store (sync_harness.h's TestStorage):
// a connection is one node's client link to another's server link, and pump() delivers every queued
// message, in order, until all are quiet. A test may drop messages on their way (a lost answer),
// cut a connection, inject bytes, and move the clocks; nothing runs unless the test says so, so
// every step is deterministic. Dropped messages are kept, and a test may deliver them late.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/sync/sync_engine.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync::testing {

// One node of the mesh: its store, trust (the mesh's author), engine and outbox.
struct MeshNode {
  MeshNode(const std::string& dir, SyncOptions options) : storage(dir) {
    engine = std::make_unique<SyncEngine>(
        std::move(options), storage, trust,
        [this](LinkId link, Bytes bytes) {
          outbox.push_back({link, std::move(bytes)});
        },
        [this] { return now_ms; });
  }
  uint64_t seqOf(const PublicKey& author) { return storage.store().queries().head(author)->seq; }
  std::string digest() { return toHex(*storage.store().queries().digest()); }
  // The engine's counters of its link to node peer in role (zeroes when there is none).
  LinkStats stats(const std::string& peer_key, Role role) const {
    for (const LinkStats& s : engine->linkStats()) {
      if (s.peer_key == peer_key && s.role == role) return s;
    }
    return {};
  }

  TestStorage storage;
  AcceptSet trust;
  std::unique_ptr<SyncEngine> engine;
  std::deque<std::pair<LinkId, Bytes>> outbox;
  int64_t now_ms = 1000;
};

class Mesh {
 public:
  // What a test's drop rule sees of a message on its way: sender, receiver and the message.
  using DropFn = std::function<bool(size_t from, size_t to, const wire::Message& message)>;

  // The options every node starts from: want_credit 16, so that a few hundred updates take many
  // wants; the rest are the engine's defaults.
  static SyncOptions defaultOptions() {
    SyncOptions options;
    options.network = kNet;
    options.want_credit = 16;
    return options;
  }

  Mesh() {
    auto key = crypto::SigningKey::generate();
    EXPECT_TRUE(key.ok());
    author_ = std::make_unique<crypto::SigningKey>(std::move(key).value());
  }

  // A node named by its index in the mesh; it accepts the mesh's author.
  size_t add(SyncOptions options = defaultOptions()) {
    const size_t index = nodes_.size();
    nodes_.push_back(
        std::make_unique<MeshNode>(dir_.file("n" + std::to_string(index)), std::move(options)));
    nodes_.back()->trust.keys.insert(author());
    return index;
  }
  MeshNode& node(size_t index) { return *nodes_.at(index); }
  const PublicKey& author() const { return author_->publicKey(); }
  static std::string keyOf(size_t index) { return "node-" + std::to_string(index); }

  // client pulls from server (client's DEALER to server's ROUTER). Both sides see the link up.
  void connect(size_t client, size_t server) {
    node(server).engine->linkUp(serverLink(client), Role::kServer, keyOf(client));
    node(client).engine->linkUp(clientLink(server), Role::kClient, keyOf(server));
  }
  // Both ways, as two peers that added each other.
  void peer(size_t a, size_t b) {
    connect(a, b);
    connect(b, a);
  }
  // The client -> server connection goes down on both sides; what was queued on it is lost.
  void disconnect(size_t client, size_t server) {
    dropQueued(client, clientLink(server));
    dropQueued(server, serverLink(client));
    node(client).engine->linkDown(clientLink(server));
    node(server).engine->linkDown(serverLink(client));
  }

  // Appends n courses to the author's feed in node's store, as a local publish, and announces them.
  std::vector<feed::VerifiedUpdate> publish(size_t at, int n) {
    TestStorage& storage = node(at).storage;
    auto head = storage.store().queries().head(author());
    feed::FeedAppender app(*author_, kNet, *head);
    std::vector<feed::VerifiedUpdate> batch;
    for (int i = 0; i < n; ++i) {
      const int id = static_cast<int>(head->seq) + i;
      Bytes body = resourceBody(id);
      auto change = catalog::checkBody(body);
      batch.push_back(app.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                                 change->tags, body, 1000 + id));
    }
    EXPECT_TRUE(storage.store().writer().apply(batch).ok());
    node(at).engine->localHeadsChanged();
    return batch;
  }

  // Bytes arriving at node to on its link from node from (on to's server link when from is its
  // client, else on its client link), outside any engine: a hostile peer's.
  void inject(size_t from, size_t to, Role to_role, const Bytes& bytes) {
    node(to).engine->receive(to_role == Role::kServer ? serverLink(from) : clientLink(from), bytes);
  }

  // Delivers every queued message and every store outcome until nothing moves; drop (when set)
  // loses the messages it returns true for. Fails the test if the mesh never settles.
  void pump(const DropFn& drop = {}) {
    for (int round = 0; round < kMaxPumpRounds; ++round) {
      bool moved = false;
      for (size_t from = 0; from < nodes_.size(); ++from) {
        MeshNode& sender = node(from);
        while (!sender.outbox.empty()) {
          auto [link, bytes] = std::move(sender.outbox.front());
          sender.outbox.pop_front();
          moved = true;
          deliver(from, link, bytes, drop);
        }
        for (auto& [id, status] : std::exchange(sender.storage.outcomes, {})) {
          sender.engine->applied(id, status);
          moved = true;
        }
      }
      if (!moved) return;
    }
    FAIL() << "the mesh did not settle";
  }

  // Moves every clock by ms and runs each engine's periodic work, then pumps.
  void advance(int64_t ms, const DropFn& drop = {}) {
    for (auto& n : nodes_) {
      n->now_ms += ms;
      n->engine->tick();
    }
    pump(drop);
  }

  // Whether every node holds the same store digest.
  bool converged() {
    for (auto& n : nodes_) {
      if (n->digest() != nodes_.front()->digest()) return false;
    }
    return true;
  }

  // Updates messages delivered, by sender and receiver, and how many updates each carried.
  struct Delivered {
    size_t from, to;
    size_t updates;
  };
  const std::vector<Delivered>& deliveredUpdates() const { return delivered_updates_; }
  size_t dropped() const { return dropped_; }

  // Delivers the messages drop rules held back so far, late, in the order they were sent (a slow
  // link), then pumps.
  void deliverHeld(const DropFn& drop = {}) {
    for (auto& [from, link, bytes] : std::exchange(held_, {})) deliver(from, link, bytes, {});
    pump(drop);
  }

 private:
  static constexpr int kMaxPumpRounds = 100'000;
  // Node i reaches node j on its client link 1000 + j and serves it on its server link 2000 + j.
  static LinkId clientLink(size_t server) { return 1000 + server; }
  static LinkId serverLink(size_t client) { return 2000 + client; }

  void deliver(size_t from, LinkId link, const Bytes& bytes, const DropFn& drop) {
    const bool from_client = link < 2000;
    const size_t to = from_client ? link - 1000 : link - 2000;
    // A message sent on a link that is down (or was never up) goes nowhere.
    if (!linkUp(from, link)) return;
    auto message = wire::decode(bytes);
    if (message.ok()) {
      if (drop && drop(from, to, *message)) {
        ++dropped_;
        held_.push_back({from, link, bytes});
        return;
      }
      if (auto* u = std::get_if<wire::Updates>(&*message)) {
        delivered_updates_.push_back({from, to, u->updates.size()});
      }
    }
    node(to).engine->receive(from_client ? serverLink(from) : clientLink(from), bytes);
  }
  bool linkUp(size_t at, LinkId link) {
    const std::string peer_key = keyOf(link < 2000 ? link - 1000 : link - 2000);
    const Role role = link < 2000 ? Role::kClient : Role::kServer;
    return node(at).stats(peer_key, role).up;
  }
  void dropQueued(size_t at, LinkId link) {
    std::erase_if(node(at).outbox, [link](const auto& queued) { return queued.first == link; });
  }

  eichub::testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> author_;
  std::vector<std::unique_ptr<MeshNode>> nodes_;
  std::vector<Delivered> delivered_updates_;
  size_t dropped_ = 0;
  struct Held {
    size_t from;
    LinkId link;
    Bytes bytes;
  };
  std::vector<Held> held_;  // what drop rules took, for deliverHeld
};

}  // namespace eichub::sync::testing
