// The in-process sync harness: two engines, each over a real LMDB CatalogStore, with real
// signed feeds; messages travel through queues the test drains, so every step is deterministic.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "federation/feed/appender.h"
#include "federation/feed/verify.h"
#include "federation/sync/sync_engine.h"
#include "federation/wire/messages.h"
#include "node/catalog/change.h"
#include "node/store/catalog_store.h"
#include "tests/testing/temp_dir.h"

namespace eichub::sync::testing {

inline constexpr char kNet[] = "test-net";

// Storage over a real CatalogStore whose writer applies at once and queues the outcome.
class TestStorage : public Storage {
 public:
  explicit TestStorage(const std::string& dir) {
    auto opened = store::CatalogStore::open(dir, store::StoreOptions{});
    EXPECT_TRUE(opened.ok());
    store_ = std::move(opened).value();
  }
  Result<std::vector<wire::HeadInfo>> heads() override {
    EICHUB_ASSIGN_OR_RETURN(auto feeds, store_->queries().feeds());
    std::vector<wire::HeadInfo> out;
    for (const auto& f : feeds) out.push_back({f.author, f.head.seq, f.head.hash});
    return out;
  }
  Result<feed::Head> head(const PublicKey& author) override {
    return store_->queries().head(author);
  }
  Result<std::vector<feed::SignedUpdate>> read(const PublicKey& author, uint64_t from,
                                               size_t max_count, size_t max_bytes) override {
    EICHUB_ASSIGN_OR_RETURN(feed::Head h, store_->queries().head(author));
    if (from > h.seq) return std::vector<feed::SignedUpdate>{};
    return store_->queries().readFeed(author, from, h.seq, max_count, max_bytes);
  }
  Status checkBody(const feed::VerifiedUpdate& u) override { return catalog::checkUpdateBody(u); }
  void submit(uint64_t id, std::vector<feed::VerifiedUpdate> batch) override {
    submitted_sizes.push_back(batch.size());
    if (defer_commits) {  // as a writer that has not committed yet
      deferred.emplace_back(id, std::move(batch));
      return;
    }
    if (refuse_submits > 0) {  // as a full disk does
      --refuse_submits;
      outcomes.push_back({id, Status::ResourceExhausted("store full")});
      return;
    }
    auto result = store_->writer().apply(batch);
    outcomes.push_back({id, result.ok() ? Status::OK() : result.status()});
  }
  Status recordFork(const wire::ForkProof& proof) override {
    auto f = feed::decodeHeader(proof.first.header);
    if (!f.ok()) return f.status();
    frozen.insert(f->author);
    proofs.push_back(proof);
    return Status::OK();
  }
  bool isFrozen(const PublicKey& author) override { return frozen.count(author) != 0; }
  Result<std::vector<std::pair<wire::BodyRef, feed::SignedUpdate>>> missingBodies(
      const HeaderFilter& wanted, const wire::BodyRef& after, size_t max_count) override {
    EICHUB_ASSIGN_OR_RETURN(
        auto headers, store_->queries().missingBodies(wanted, after.author, after.seq, max_count));
    std::vector<std::pair<wire::BodyRef, feed::SignedUpdate>> out;
    for (auto& header : headers) {
      auto f = feed::decodeHeader(header.header);
      if (!f.ok()) return f.status();
      out.emplace_back(wire::BodyRef{f->author, f->seq}, std::move(header));
    }
    return out;
  }

  store::CatalogStore& store() { return *store_; }
  std::vector<std::pair<uint64_t, Status>> outcomes;
  std::vector<size_t> submitted_sizes;
  std::set<PublicKey> frozen;
  int refuse_submits = 0;      // the next this many batches are refused
  bool defer_commits = false;  // batches wait in deferred until commitDeferred
  std::vector<std::pair<uint64_t, std::vector<feed::VerifiedUpdate>>> deferred;
  // Applies (or, with failure, refuses) the deferred batches and queues their outcomes.
  void commitDeferred(const Status& failure = Status::OK()) {
    for (auto& [id, batch] : deferred) {
      if (!failure.ok()) {
        outcomes.push_back({id, failure});
        continue;
      }
      auto result = store_->writer().apply(batch);
      outcomes.push_back({id, result.ok() ? Status::OK() : result.status()});
    }
    deferred.clear();
  }
  std::vector<wire::ForkProof> proofs;  // every proof recordFork kept, in order

 private:
  std::unique_ptr<store::CatalogStore> store_;
};

class AcceptSet : public TrustPolicy {
 public:
  std::string_view verdict(const feed::HeaderFields& header) const override {
    return keys.count(header.author) != 0 ? "" : "unknown_author";
  }
  uint64_t lastAcceptedSeq(const PublicKey& author) const override {
    return keys.count(author) != 0 ? UINT64_MAX : 0;
  }
  std::string_view byteVerdict(const PublicKey& author, uint64_t feed_bytes) const override {
    auto it = max_bytes.find(author);
    if (it != max_bytes.end() && feed_bytes > it->second) return "over_quota";
    auto budget = local_budget.find(author);
    return budget != local_budget.end() && feed_bytes > budget->second ? "local_budget" : "";
  }
  std::set<PublicKey> keys;
  std::map<PublicKey, uint64_t> max_bytes;     // byte quotas, by author
  std::map<PublicKey, uint64_t> local_budget;  // this node's own byte budgets, by author
};

// A node: storage, trust, engine and its outbox.
struct TestNode {
  TestNode(const std::string& dir, uint32_t credit, BodyFilter wants_body = {},
           uint64_t serve_budget_bytes = kServeBudgetBytes, bool announce_after_reads = false)
      : storage(dir) {
    SyncOptions options;
    options.announce_after_reads = announce_after_reads;
    options.serve_budget_bytes = serve_budget_bytes;
    options.network = kNet;
    options.want_credit = credit;
    options.wants_body = std::move(wants_body);
    engine = std::make_unique<SyncEngine>(
        options, storage, trust,
        [this](LinkId link, Bytes bytes) {
          outbox.push_back({link, std::move(bytes)});
        },
        [this] { return now_ms; }, SyncEngine::RejectFn{},
        [this](const std::string& fields) { events.push_back(fields); });
  }
  TestStorage storage;
  AcceptSet trust;
  std::unique_ptr<SyncEngine> engine;
  std::deque<std::pair<LinkId, Bytes>> outbox;
  std::vector<std::string> events;  // the engine's event lines
  int64_t now_ms = 1000;
};

// A course r/<i>, in sector and with an English description when they are given.
inline Bytes resourceBody(int i, const std::string& sector = "",
                          const std::string& description = "") {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Record>().initLearningResource();
  r.setId("r/" + std::to_string(i));
  if (!sector.empty()) r.initSectors(1).set(0, sector);
  auto title = r.initTitle(1);
  title[0].setLang("en");
  title[0].setText("Course " + std::to_string(i));
  if (!description.empty()) {
    auto text = r.initDescription(1);
    text[0].setLang("en");
    text[0].setText(description);
  }
  auto change = catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
  EXPECT_TRUE(change.ok());
  return change->body;
}

class SyncEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(key.ok());
    author_ = std::make_unique<crypto::SigningKey>(std::move(key).value());
    server_ = std::make_unique<TestNode>(dir_.file("server"), 64);
    client_ = std::make_unique<TestNode>(dir_.file("client"), 64);
    client_->trust.keys.insert(author_->publicKey());
    server_->trust.keys.insert(author_->publicKey());
  }
  // Publishes n updates of author_'s feed into the server's store; sector(i) names the sector
  // of course i (none by default).
  std::vector<feed::VerifiedUpdate> publish(
      int n, const std::function<std::string(int)>& sector = [](int) { return ""; }) {
    return publishAs(*author_, n, sector);
  }
  // The same, of key's feed.
  std::vector<feed::VerifiedUpdate> publishAs(
      const crypto::SigningKey& key, int n,
      const std::function<std::string(int)>& sector = [](int) { return ""; }) {
    auto head = server_->storage.store().queries().head(key.publicKey());
    feed::FeedAppender app(key, kNet, *head);
    std::vector<feed::VerifiedUpdate> batch;
    for (int i = 0; i < n; ++i) {
      const int id = static_cast<int>(head->seq) + i;
      Bytes body = resourceBody(id, sector(id));
      auto change = catalog::checkBody(body);
      batch.push_back(app.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                                 change->tags, body, 1000 + i));
    }
    EXPECT_TRUE(server_->storage.store().writer().apply(batch).ok());
    return batch;
  }
  // Delivers queued messages both ways (client link 1 <-> server link 2) until quiet.
  // Returns the largest number of updates one want made the server send.
  void pump() {
    for (int round = 0; round < 10000; ++round) {
      bool moved = false;
      while (!client_->outbox.empty()) {
        Bytes bytes = std::move(client_->outbox.front().second);
        client_->outbox.pop_front();
        if (rewrite_to_server) rewrite_to_server(bytes);
        server_->engine->receive(2, bytes);
        moved = true;
      }
      while (!server_->outbox.empty()) {
        Bytes bytes = std::move(server_->outbox.front().second);
        server_->outbox.pop_front();
        auto message = wire::decode(bytes);
        if (message.ok()) {
          if (auto* u = std::get_if<wire::Updates>(&*message)) {
            sent_per_message_.push_back(u->updates.size());
            sent_updates_.push_back(*u);
          }
        }
        client_->engine->receive(1, bytes);
        moved = true;
      }
      auto outcomes = std::move(client_->storage.outcomes);
      client_->storage.outcomes.clear();
      for (auto& [id, status] : outcomes) {
        client_->engine->applied(id, status);
        moved = true;
      }
      if (!moved) return;
    }
    FAIL() << "sync did not settle";
  }
  void connect() {
    server_->engine->linkUp(2, Role::kServer, "client-key");
    client_->engine->linkUp(1, Role::kClient, "server-key");
  }
  uint64_t clientSeq() {
    return client_->storage.store().queries().head(author_->publicKey())->seq;
  }

  eichub::testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> author_;
  std::unique_ptr<TestNode> server_;
  std::unique_ptr<TestNode> client_;
  std::vector<size_t> sent_per_message_;
  // When set, pump() passes each client message through it before the server reads it (to play
  // an older client).
  std::function<void(Bytes&)> rewrite_to_server;
  // The bodies of every updates message pump() carried to the client, as sent: frames or not.
  std::vector<wire::Updates> sent_updates_;
};

}  // namespace eichub::sync::testing
