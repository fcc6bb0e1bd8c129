// BodyPump: which bodies a run lacks are queued (wanted, last version of each record), where
// requests go, how each body received is checked, and the store scan for missing bodies.
#include "federation/sync/body_pump.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "tests/unit/sync/part_harness.h"

namespace eichub::sync {
namespace {

class BodyPumpTest : public testing::PartTest {
 protected:
  void SetUp() override {
    PartTest::SetUp();
    // Keeps the bodies of healthcare records only.
    makeContext([](const feed::HeaderFields& f) {
      return std::find(f.tags.begin(), f.tags.end(), "sector:healthcare") != f.tags.end();
    });
    pump_ = std::make_unique<BodyPump>(*context_);
    // r/1 (healthcare) twice, r/2 (construction), r/3 (healthcare): seqs 1 to 4.
    feed::FeedAppender app(*author_, testing::kNet, {});
    const std::pair<int, std::string> records[] = {
        {1, "healthcare"}, {1, "healthcare"}, {2, "construction"}, {3, "healthcare"}};
    for (const auto& [id, sector] : records) {
      Bytes body = testing::resourceBody(id, sector);
      auto change = catalog::checkBody(body);
      run_.push_back(app.append(feed::Op::UPSERT, catalog::kindCode(change->kind), change->id,
                                change->tags, body, 1000 + static_cast<int64_t>(run_.size())));
    }
    for (feed::VerifiedUpdate u : run_) {
      u.signed_update.body.clear();
      headers_.push_back(std::move(u));
    }
  }
  std::vector<wire::BodyRef> refsAskedOf(LinkId link) {
    std::vector<wire::BodyRef> refs;
    for (auto& [to, want] : sent<wire::WantBodies>()) {
      if (to == link) refs.insert(refs.end(), want.refs.begin(), want.refs.end());
    }
    return refs;
  }
  // Bodies link sent.
  void deliver(LinkId link, std::vector<wire::BodyItem> items) {
    wire::Bodies bodies{std::move(items)};
    pump_->onBodies(link, bodies);
  }
  wire::BodyItem item(size_t i, Bytes body) { return {{author(), i + 1}, std::move(body)}; }

  std::unique_ptr<BodyPump> pump_;
  std::vector<feed::VerifiedUpdate> run_;      // with bodies
  std::vector<feed::VerifiedUpdate> headers_;  // the same, bodies left out
};

TEST_F(BodyPumpTest, ARunQueuesTheWantedBodiesItLacksForEachRecordsLastVersion) {
  pump_->queueMissing(1, run_);  // bodies included: nothing to fetch
  EXPECT_EQ(pump_->pending(), 0u);
  pump_->queueMissing(1, headers_);
  EXPECT_EQ(pump_->pending(), 2u);
  pump_->pump();  // no client link may be asked yet
  EXPECT_TRUE(outbox_.empty());
  up(1, Role::kClient);
  up(2, Role::kServer);
  pump_->pump();
  // r/1 at seq 2 (seq 1 is superseded) and r/3; r/2 is not wanted. Asked of the hint.
  EXPECT_EQ(refsAskedOf(1), (std::vector<wire::BodyRef>{{author(), 2}, {author(), 4}}));
}

TEST_F(BodyPumpTest, EachBodyIsBoundToItsHeaderAndTheGoodOnesGoToTheStoreAsOneBatch) {
  ASSERT_TRUE(storage_->store().writer().apply(headers_).ok());
  up(1, Role::kClient);
  pump_->queueMissing(1, headers_);
  pump_->pump();
  outbox_.clear();
  wire::Bodies bodies;
  bodies.items.push_back(item(1, run_[1].signed_update.body));
  bodies.items.push_back(item(3, run_[1].signed_update.body));  // another record's body
  bodies.items.push_back(item(0, run_[0].signed_update.body));  // never asked for
  pump_->onBodies(1, bodies);
  EXPECT_EQ(rejected(1, "body hash"), 1u);
  EXPECT_EQ(rejected(1, "unsolicited body"), 1u);
  EXPECT_EQ(context_->link(1).stats.bodies_received, 1u);
  ASSERT_EQ(storage_->submitted_sizes, (std::vector<size_t>{1}));
  // The refused one had no other link to go to: given up.
  EXPECT_EQ(pump_->pending(), 0u);
  EXPECT_EQ(pump_->givenUp(), 1u);
  ASSERT_EQ(storage_->outcomes.size(), 1u);
  EXPECT_TRUE(pump_->applied(storage_->outcomes[0].first, storage_->outcomes[0].second));
  EXPECT_FALSE(pump_->applied(storage_->outcomes[0].first, Status::OK()));  // once
  auto held = storage_->store().queries().readFeed(author(), 2, 2, 1);
  EXPECT_EQ(held->at(0).body, run_[1].signed_update.body);
}

TEST_F(BodyPumpTest, ABodyNotHeldThereIsAskedOfAnotherLink) {
  up(1, Role::kClient);
  up(2, Role::kClient);
  pump_->queueMissing(1, {headers_[3]});
  pump_->pump();
  EXPECT_EQ(refsAskedOf(1), (std::vector<wire::BodyRef>{{author(), 4}}));
  deliver(1, {item(3, {})});
  EXPECT_EQ(refsAskedOf(2), (std::vector<wire::BodyRef>{{author(), 4}}));
  EXPECT_EQ(context_->link(1).stats.rejected, 0u);  // not holding it is no fault
}

TEST_F(BodyPumpTest, AStoreRefusalOfBodiesCountsAgainstTheirLink) {
  ASSERT_TRUE(storage_->store().writer().apply(headers_).ok());
  up(1, Role::kClient);
  pump_->queueMissing(1, {headers_[3]});
  pump_->pump();
  storage_->refuse_submits = 1;
  deliver(1, {item(3, run_[3].signed_update.body)});
  ASSERT_EQ(storage_->outcomes.size(), 1u);
  EXPECT_TRUE(pump_->applied(storage_->outcomes[0].first, storage_->outcomes[0].second));
  EXPECT_EQ(rejected(1, "store refused bodies"), 1u);
}

TEST_F(BodyPumpTest, FetchAsksForHeldHeadersWhateverTheFilter) {
  ASSERT_TRUE(storage_->store().writer().apply(headers_).ok());
  up(1, Role::kClient);
  // r/2 is not wanted by the filter but is asked for; seq 9 is not held.
  EXPECT_EQ(pump_->fetch({{author(), 3}, {author(), 9}}), 1u);
  EXPECT_EQ(refsAskedOf(1), (std::vector<wire::BodyRef>{{author(), 3}}));
}

TEST_F(BodyPumpTest, TheStoreIsScannedForMissingBodiesWhenIdleAndAfterARescan) {
  ASSERT_TRUE(storage_->store().writer().apply(headers_).ok());
  pump_->tick(now_ms_, /*pulls_idle=*/true);  // no client link up: no scan yet
  EXPECT_EQ(pump_->pending(), 0u);
  up(1, Role::kClient);
  pump_->tick(now_ms_, /*pulls_idle=*/false);  // a pull may still bring them
  EXPECT_EQ(pump_->pending(), 0u);
  pump_->tick(now_ms_, /*pulls_idle=*/true);
  EXPECT_EQ(refsAskedOf(1), (std::vector<wire::BodyRef>{{author(), 2}, {author(), 4}}));
  deliver(1, {item(1, run_[1].signed_update.body), item(3, run_[3].signed_update.body)});
  ASSERT_TRUE(pump_->applied(storage_->outcomes[0].first, storage_->outcomes[0].second));
  pump_->tick(now_ms_, true);  // scanned once: nothing more
  EXPECT_TRUE(refsAskedOf(1).empty());
  context_->setBodyFilter({});  // every body now
  pump_->rescan();
  pump_->tick(now_ms_, true);
  EXPECT_EQ(refsAskedOf(1), (std::vector<wire::BodyRef>{{author(), 3}}));
}

TEST_F(BodyPumpTest, AnUnansweredRequestIsAskedAgainAfterTheWantTimeout) {
  up(1, Role::kClient);
  up(2, Role::kClient);
  pump_->queueMissing(1, {headers_[3]});
  pump_->pump();
  EXPECT_EQ(refsAskedOf(1).size(), 1u);
  now_ms_ += 1'001;
  pump_->tick(now_ms_, false);
  EXPECT_EQ(sent<wire::WantBodies>().size(), 1u);
  EXPECT_EQ(pump_->pending(), 1u);
}

}  // namespace
}  // namespace eichub::sync
