// OAI-PMH items on a real store: datestamps are the time this node applied a change (not the
// author's signed time), and a deleted item keeps the region and sector sets it was in.
#include "node/http/oai/oai_items.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "node/catalog/change.h"
#include "node/publish/publisher.h"
#include "tests/testing/temp_dir.h"

namespace eichub::http::oai {
namespace {

constexpr char kNet[] = "test-net";
constexpr int64_t kSignedMs = 1'500'000'000'000;  // 2017: an author's clock far behind
constexpr int64_t kLocalMs = 1'800'000'000'000;   // 2027: this node's clock

catalog::Change resource(const std::string& id, const std::string& region,
                         const std::string& sector) {
  capnp::MallocMessageBuilder message;
  auto r = message.initRoot<schema::Record>().initLearningResource();
  r.setId(id);
  auto t = r.initTitle(1);
  t[0].setLang("en");
  t[0].setText("Wound care");
  r.setRegion(region);
  r.initSectors(1).set(0, sector);
  auto change = catalog::changeFromRecord(message.getRoot<schema::Record>().asReader());
  EXPECT_TRUE(change.ok());
  return *change;
}

class OaiItemsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = std::make_unique<crypto::SigningKey>(crypto::SigningKey::generate().value());
    store::StoreOptions options;
    options.now_ms = [this] { return local_ms_; };
    store_ = store::CatalogStore::open(dir_.path(), options).value();
  }
  void publish(const std::vector<catalog::Change>& changes) {
    auto done = publish::publishChanges(*store_, *key_, kNet, changes, {},
                                        [this] { return signed_ms_ += 1; });
    ASSERT_TRUE(done.ok()) << done.status().toString();
  }
  std::vector<Item> walk(const Selection& selection) {
    Heads heads;
    auto feeds = store_->queries().feeds();
    EXPECT_TRUE(feeds.ok());
    if (feeds.ok()) {
      for (const store::FeedInfo& f : *feeds) heads[f.author] = f.head.seq;
    }
    std::vector<Item> out;
    Status s = walkItems(*store_, heads, selection, 0, [&](const Item& item) {
      out.push_back(item);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.toString();
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> key_;
  std::unique_ptr<store::CatalogStore> store_;
  int64_t signed_ms_ = kSignedMs;
  int64_t local_ms_ = kLocalMs;
};

TEST_F(OaiItemsTest, ARecordSignedLongAgoButReceivedNowIsHarvestedFromAMinuteAgo) {
  publish({resource("lr/1", "UKE42", "healthcare")});
  Selection recent;
  recent.from = kLocalMs / 1000 - 60;
  std::vector<Item> items = walk(recent);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].state.key.id, "lr/1");
  EXPECT_EQ(datestampSeconds(items[0].state), kLocalMs / 1000);
  EXPECT_LT(items[0].state.time_ms, kLocalMs);  // the signed time stays the author's
  // until the signed time: nothing, since the datestamp is the local one.
  Selection old;
  old.until = kSignedMs / 1000 + 60;
  EXPECT_TRUE(walk(old).empty());
  // The change feed says when each change was applied.
  auto changes = store_->queries().changes(0, 10).value();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].applied_ms, kLocalMs);
}

TEST_F(OaiItemsTest, StateFromAnOlderBuildFallsBackToTheSignedTime) {
  store::RecordState state;
  state.time_ms = kSignedMs;
  EXPECT_EQ(datestampSeconds(state), kSignedMs / 1000);
  state.applied_ms = kLocalMs;
  EXPECT_EQ(datestampSeconds(state), kLocalMs / 1000);
}

TEST_F(OaiItemsTest, ADeletedItemKeepsItsRegionAndSectorSets) {
  publish({resource("lr/1", "UKE42", "healthcare"), resource("lr/2", "DE501", "ict")});
  local_ms_ += 120'000;
  publish({catalog::deleteChange(catalog::Kind::LEARNING_RESOURCE, "lr/1")});
  Selection in_region;
  in_region.set = "region:UKE";
  std::vector<Item> items = walk(in_region);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].state.key.id, "lr/1");
  EXPECT_TRUE(items[0].deleted());
  EXPECT_EQ(datestampSeconds(items[0].state), (kLocalMs + 120'000) / 1000);
  std::vector<std::string> sets = setsOf(items[0]);
  EXPECT_NE(std::find(sets.begin(), sets.end(), "region:UKE42"), sets.end());
  EXPECT_NE(std::find(sets.begin(), sets.end(), "sector:healthcare"), sets.end());
  Selection in_sector;
  in_sector.set = "sector:healthcare";
  EXPECT_EQ(walk(in_sector).size(), 1u);
  Selection other;
  other.set = "sector:ict";
  ASSERT_EQ(walk(other).size(), 1u);
  EXPECT_EQ(walk(other)[0].state.key.id, "lr/2");
}

// An erase ends its record like a delete: the sets stay too.
TEST_F(OaiItemsTest, AnErasedItemKeepsItsSets) {
  publish({resource("lr/1", "UKE42", "healthcare")});
  publish({resource("lr/1", "UKE42", "healthcare-2")});
  publish({catalog::eraseChange(catalog::Kind::LEARNING_RESOURCE, "lr/1")});
  Selection in_sector;
  in_sector.set = "sector:healthcare-2";
  std::vector<Item> items = walk(in_sector);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].deleted());
  in_sector.set = "sector:healthcare";
  EXPECT_TRUE(walk(in_sector).empty()) << "the newest version's sets, not an older one's";
}

}  // namespace
}  // namespace eichub::http::oai
