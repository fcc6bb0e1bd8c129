// A harness for one part of the sync engine at a time: a SyncContext over a real LMDB
// CatalogStore (TestStorage) with an injected clock, and an outbox of what the part sent.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "federation/sync/relay_buffer.h"
#include "federation/sync/sync_context.h"
#include "tests/unit/sync/sync_harness.h"

namespace eichub::sync::testing {

// TestStorage that also hands back the proof it kept last, as the node's store does (an
// earlier fork point replaces a later one there; here the engine decides which to keep).
class PartStorage : public TestStorage {
 public:
  using TestStorage::TestStorage;
  Result<wire::ForkProof> forkProof(const PublicKey& author) override {
    if (!isFrozen(author) || proofs.empty()) return Status::NotFound("no fork proof kept");
    return proofs.back();
  }
};

class PartTest : public ::testing::Test {
 protected:
  // A context with want_credit 8 and the given body filter; author_ is trusted.
  void SetUp() override {
    auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(key.ok());
    author_ = std::make_unique<crypto::SigningKey>(std::move(key).value());
    storage_ = std::make_unique<PartStorage>(dir_.file("store"));
    trust_.keys.insert(author_->publicKey());
    makeContext({});
  }
  void makeContext(BodyFilter wants_body, uint64_t serve_budget_bytes = kServeBudgetBytes) {
    SyncOptions options;
    options.serve_budget_bytes = serve_budget_bytes;
    options.network = kNet;
    options.want_credit = 8;
    options.reject_limit = 4;
    options.want_timeout_ms = 1'000;
    options.wants_body = std::move(wants_body);
    context_ = std::make_unique<SyncContext>(
        options, *storage_, trust_,
        [this](LinkId link, Bytes bytes) {
          outbox_.push_back({link, std::move(bytes)});
        },
        [this] { return now_ms_; },
        [this](LinkId link, const std::string& reason) {
          rejects_.push_back({link, reason});
        },
        [this](const std::string& fields) { events_.push_back(fields); });
  }
  const PublicKey& author() const { return author_->publicKey(); }
  // n updates of author_'s feed after head (courses; sector(i) for course i, each with
  // description), not stored.
  std::vector<feed::VerifiedUpdate> chain(
      int n, feed::Head head = {},
      const std::function<std::string(int)>& sector = [](int) { return ""; },
      const std::string& description = "") {
    feed::FeedAppender app(*author_, kNet, head);
    std::vector<feed::VerifiedUpdate> out;
    for (int i = 0; i < n; ++i) {
      const int id = static_cast<int>(head.seq) + i;
      Bytes body = resourceBody(id, sector(id), description);
      auto change = catalog::checkBody(body);
      out.push_back(app.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                               change->tags, body, 1000 + i));
    }
    return out;
  }
  // Stores n more updates of author_'s feed, each course with description, and returns them.
  std::vector<feed::VerifiedUpdate> store(int n, const std::string& description = "") {
    auto updates = chain(
        n, storage_->store().queries().head(author()).value(), [](int) { return ""; }, description);
    EXPECT_TRUE(storage_->store().writer().apply(updates).ok());
    return updates;
  }
  // A link that is up in role, as the engine's linkUp leaves it.
  LinkState& up(LinkId link, Role role) {
    LinkState& state = context_->link(link);
    state.stats.role = role;
    state.stats.up = true;
    return state;
  }
  // The messages of type T sent so far, with their links; the outbox is emptied.
  template <typename T>
  std::vector<std::pair<LinkId, T>> sent() {
    std::vector<std::pair<LinkId, T>> out;
    for (auto& [link, bytes] : outbox_) {
      auto message = wire::decode(bytes);
      EXPECT_TRUE(message.ok());
      if (message.ok()) {
        if (auto* m = std::get_if<T>(&*message)) out.emplace_back(link, std::move(*m));
      }
    }
    outbox_.clear();
    return out;
  }
  uint64_t rejected(LinkId link, const std::string& reason) {
    return context_->link(link).stats.rejected_by_reason[reason];
  }

  eichub::testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> author_;
  std::unique_ptr<PartStorage> storage_;
  AcceptSet trust_;
  std::unique_ptr<SyncContext> context_;
  RelayBuffer relay_;  // the engine's: verified runs until their commit
  std::vector<std::pair<LinkId, Bytes>> outbox_;
  std::vector<std::pair<LinkId, std::string>> rejects_;
  std::vector<std::string> events_;
  int64_t now_ms_ = 10'000;
};

}  // namespace eichub::sync::testing
