// store::restate: a store that learns a cut-off after the updates it cuts ends in the
// state (digest, lookups, search) of a store that only ever held the prefix; and back.
#include "node/store/restate.h"

#include <gtest/gtest.h>

#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using testing::TestFeed;

class RestateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // seq 1..3 make three skills, seq 4 renames skill a, seq 5 deletes b, seq 6 adds d.
    updates_.push_back(feed_.skill("a", {{"en", "wound care"}}));
    updates_.push_back(feed_.skill("b", {{"en", "bricklaying"}}));
    updates_.push_back(feed_.skill("c", {{"en", "welding"}}));
    updates_.push_back(feed_.skill("a", {{"en", "ward rounds"}}));
    updates_.push_back(feed_.remove(catalog::Kind::SKILL, "b"));
    updates_.push_back(feed_.skill("d", {{"en", "drywall"}}));
    full_ = open(full_dir_);
    ASSERT_TRUE(full_->writer().apply(updates_).ok());
  }

  static std::unique_ptr<CatalogStore> open(const eichub::testing::TempDir& dir) {
    return CatalogStore::open(dir.path(), {}).value();
  }
  // A store holding only updates 1..n.
  std::unique_ptr<CatalogStore> prefixStore(const eichub::testing::TempDir& dir, size_t n) {
    auto store = open(dir);
    EXPECT_TRUE(store->writer().apply({updates_.begin(), updates_.begin() + n}).ok());
    return store;
  }
  static size_t hits(const CatalogStore& store, const std::string& words) {
    return store.queries().search(SearchQuery{words, std::nullopt, "", 10}).value().size();
  }

  TestFeed feed_;
  std::vector<feed::VerifiedUpdate> updates_;
  eichub::testing::TempDir full_dir_;
  std::unique_ptr<CatalogStore> full_;
};

TEST_F(RestateTest, CutAfterTheFactEqualsNeverHavingTheLaterUpdates) {
  eichub::testing::TempDir prefix_dir;
  auto prefix = prefixStore(prefix_dir, 3);
  auto end =
      restate(*full_, feed_.author(), [](const feed::HeaderFields& h) { return h.seq <= 3; });
  ASSERT_TRUE(end.ok()) << end.status().toString();
  EXPECT_EQ(*end, 3u);
  EXPECT_EQ(full_->queries().digest().value(), prefix->queries().digest().value());
  EXPECT_EQ(full_->queries().head(feed_.author()).value().seq, 6u);  // headers stay stored
  EXPECT_EQ(hits(*full_, "wound"), 1u);
  EXPECT_EQ(hits(*full_, "ward"), 0u);
  EXPECT_EQ(hits(*full_, "drywall"), 0u);
  EXPECT_EQ(full_->queries().recordsById("b").value().size(), 1u);  // undeleted
  EXPECT_TRUE(full_->queries().recordsById("d").value().empty());
  EXPECT_TRUE(full_->queries().record(feed_.key(catalog::Kind::SKILL, "d")).status().isNotFound());
}

TEST_F(RestateTest, DropLeavesNothingAndWideningBringsEverythingBack) {
  eichub::testing::TempDir empty_dir;
  auto empty = open(empty_dir);
  ASSERT_TRUE(
      restate(*full_, feed_.author(), [](const feed::HeaderFields&) { return false; }).ok());
  EXPECT_EQ(full_->queries().digest().value(), empty->queries().digest().value());
  EXPECT_EQ(hits(*full_, "welding"), 0u);

  eichub::testing::TempDir again_dir;
  auto again = prefixStore(again_dir, updates_.size());
  auto end = restate(*full_, feed_.author(), [](const feed::HeaderFields&) { return true; });
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 6u);
  EXPECT_EQ(full_->queries().digest().value(), again->queries().digest().value());
  EXPECT_EQ(hits(*full_, "ward"), 1u);
  EXPECT_EQ(hits(*full_, "drywall"), 1u);
}

TEST_F(RestateTest, TheFirstRefusedUpdateEndsThePrefix) {
  eichub::testing::TempDir prefix_dir;
  auto prefix = prefixStore(prefix_dir, 1);
  // Seq 2 refused: seq 3 does not count although the predicate would accept it alone.
  auto end =
      restate(*full_, feed_.author(), [](const feed::HeaderFields& h) { return h.seq != 2; });
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, 1u);
  EXPECT_EQ(full_->queries().digest().value(), prefix->queries().digest().value());
}

TEST_F(RestateTest, RecordsOfKindListsTheKind) {
  auto skills = full_->queries().recordsOfKind(catalog::Kind::SKILL);
  ASSERT_TRUE(skills.ok());
  EXPECT_EQ(skills->size(), 4u);  // a, b (tombstone), c, d
  EXPECT_TRUE(full_->queries().recordsOfKind(catalog::Kind::TRUST).value().empty());
}

// The update as a node that did not hold (or fetch) its body receives it.
feed::VerifiedUpdate withoutBody(feed::VerifiedUpdate update) {
  update.signed_update.body.clear();
  return update;
}

// A cut that ends the prefix before an erase brings the erased version back into the state
// (as on a node that learnt the cut first and never stored the erase), but never its body:
// it is neither listed as missing (to be fetched) nor stored when a peer sends it again.
TEST(RestateEraseTest, ACutBeforeAnEraseNeverBringsTheErasedBodyBack) {
  TestFeed a;
  feed::VerifiedUpdate v1 = a.resource("c1", {{"en", "Patient records"}}, {"esco:s1"});
  feed::VerifiedUpdate erase = a.erase(catalog::Kind::LEARNING_RESOURCE, "c1", {1});
  eichub::testing::TempDir early_dir, full_dir, headers_dir;
  auto early = CatalogStore::open(early_dir.path(), {}).value();
  ASSERT_TRUE(early->writer().apply({v1}).ok());
  auto full = CatalogStore::open(full_dir.path(), {}).value();
  ASSERT_TRUE(full->writer().apply({v1, erase}).ok());
  // A selective-sync node held the header only when the erase came.
  auto headers_only = CatalogStore::open(headers_dir.path(), {}).value();
  ASSERT_TRUE(headers_only->writer().apply({withoutBody(v1), erase}).ok());

  const auto all = [](const feed::HeaderFields&) { return true; };
  for (CatalogStore* store : {full.get(), headers_only.get()}) {
    auto end = restate(*store, a.author(), [](const feed::HeaderFields& h) { return h.seq <= 1; });
    ASSERT_TRUE(end.ok()) << end.status().toString();
    EXPECT_EQ(*end, 1u);
    EXPECT_EQ(store->queries().digest().value(), early->queries().digest().value());
    EXPECT_TRUE(store->queries().missingBodies(all, PublicKey{}, 0, 10).value().empty());
    auto again = store->writer().apply({v1});
    ASSERT_TRUE(again.ok()) << again.status().toString();
    EXPECT_EQ(again->bodies_attached, 0u);
    EXPECT_EQ(again->stale_bodies, 1u);
    EXPECT_TRUE(store->queries().readFeed(a.author(), 1, 1, 1).value()[0].body.empty());
    EXPECT_TRUE(store->queries()
                    .record(a.key(catalog::Kind::LEARNING_RESOURCE, "c1"))
                    .value()
                    .body.empty());
    EXPECT_EQ(store->queries().erasedBodies().value(), 1u);
  }
  EXPECT_EQ(early->queries().erasedBodies().value(), 0u);
  // The node that never saw the erase keeps its body: bodies are not part of the digest.
  EXPECT_FALSE(
      early->queries().record(a.key(catalog::Kind::LEARNING_RESOURCE, "c1")).value().body.empty());
}

}  // namespace
}  // namespace eichub::store
