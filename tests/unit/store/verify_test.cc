// verifyStore and store::dropBadBody on a real LMDB store whose data file had one bit of
// a stored header or body flipped while it was closed (docs/reliability.md case 22).
#include "node/store/verify.h"

#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "tests/testing/store_flip.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using eichub::testing::flipStoredBit;
using eichub::testing::StoredPart;
using testing::TestFeed;

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* word : {"alpha", "bravo", "charlie", "delta"}) {
      updates_.push_back(feed_.skill(std::string("skill-") + word, {{"en", word}}));
    }
    other_updates_.push_back(other_.skill("skill-x", {{"en", "bricklaying"}}));
    store_ = CatalogStore::open(dir_.path(), {}).value();
    ASSERT_TRUE(store_->writer().apply(updates_).ok());
    ASSERT_TRUE(store_->writer().apply(other_updates_).ok());
    digest_ = store_->queries().digest().value();
  }

  // Closes the store, flips one bit of the part stored at seq of feed_, and opens it again.
  void flip(uint64_t seq, StoredPart part, size_t index) {
    store_.reset();
    ASSERT_TRUE(flipStoredBit(dir_.path(), feed_.author(), seq, part, index).ok());
    store_ = CatalogStore::open(dir_.path(), {}).value();
  }
  // The offset of the record id's text inside the header at seq: flipping a bit there keeps
  // the header decodable, so only its signature can tell.
  size_t idOffset(uint64_t seq) {
    const Bytes& header = updates_[seq - 1].signed_update.header;
    const std::string id = updates_[seq - 1].fields.id;
    auto at = std::search(header.begin(), header.end(), id.begin(), id.end());
    EXPECT_NE(at, header.end());
    return static_cast<size_t>(at - header.begin()) + id.size() - 1;
  }

  eichub::testing::TempDir dir_;
  TestFeed feed_;
  TestFeed other_;
  std::vector<feed::VerifiedUpdate> updates_;
  std::vector<feed::VerifiedUpdate> other_updates_;
  std::unique_ptr<CatalogStore> store_;
  Hash32 digest_{};
};

TEST_F(VerifyTest, ACleanStoreHasNoProblems) {
  VerifyReport report = verifyStore(*store_).value();
  EXPECT_EQ(report.feeds, 2u);
  EXPECT_EQ(report.headers, 5u);
  EXPECT_EQ(report.bodies, 5u);
  EXPECT_TRUE(report.problems.empty());
  EXPECT_FALSE(dropBadBody(*store_, feed_.author(), 2).value());  // a good body is never dropped
  EXPECT_EQ(store_->queries().record(feed_.key(catalog::Kind::SKILL, "skill-bravo")).value().body,
            updates_[1].signed_update.body);
}

TEST_F(VerifyTest, AFlippedBodyIsNamedDroppedAndTakenBackFromAPeer) {
  flip(3, StoredPart::kBody, 20);
  const Bytes held = store_->queries().readFeed(feed_.author(), 3, 3, 1).value().front().body;
  ASSERT_NE(held, updates_[2].signed_update.body);  // the flip reached the stored value
  EXPECT_FALSE(bodyMatches(updates_[2].fields, held));

  VerifyReport report = verifyStore(*store_).value();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].author, feed_.author());
  EXPECT_EQ(report.problems[0].seq, 3u);
  EXPECT_EQ(problemName(report.problems[0].problem), "bad_body");

  EXPECT_TRUE(dropBadBody(*store_, feed_.author(), 3).value());
  EXPECT_FALSE(dropBadBody(*store_, feed_.author(), 3).value());
  EXPECT_TRUE(verifyStore(*store_).value().problems.empty());
  // Now a missing body, as selective sync leaves them: what the body fetcher asks peers for.
  auto missing = store_->queries().missingBodies([](const feed::HeaderFields&) { return true; },
                                                 PublicKey{}, 0, 10);
  ASSERT_EQ(missing.value().size(), 1u);
  EXPECT_EQ(missing.value()[0].header, updates_[2].signed_update.header);
  EXPECT_EQ(store_->queries().digest().value(),
            digest_);  // the state never depended on the body bytes

  // A peer's copy of the update brings the body back.
  ApplyStats stats = store_->writer().apply({updates_[2]}).value();
  EXPECT_EQ(stats.bodies_attached, 1u);
  EXPECT_EQ(store_->queries().readFeed(feed_.author(), 3, 3, 1).value().front().body,
            updates_[2].signed_update.body);
  EXPECT_TRUE(verifyStore(*store_).value().problems.empty());
  EXPECT_EQ(store_->queries().digest().value(), digest_);
  EXPECT_EQ(store_->queries().search({"charlie", catalog::Kind::SKILL, "", 10}).value().size(), 1u);
}

TEST_F(VerifyTest, AFlippedHeaderIsNamedOnceAndNotRepaired) {
  flip(2, StoredPart::kHeader, idOffset(2));
  VerifyReport report = verifyStore(*store_).value();
  // One problem: the link from seq 2 to seq 3 is not blamed on seq 3.
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].seq, 2u);
  EXPECT_EQ(problemName(report.problems[0].problem), "bad_signature");
  EXPECT_FALSE(dropBadBody(*store_, feed_.author(), 2).value());  // its body still matches
}

TEST_F(VerifyTest, AFlippedLastHeaderIsNotAlsoAHeadMismatch) {
  flip(4, StoredPart::kHeader, idOffset(4));
  VerifyReport report = verifyStore(*store_).value();
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].seq, 4u);
  EXPECT_EQ(problemName(report.problems[0].problem), "bad_signature");
}

TEST_F(VerifyTest, AValueWhoseLengthsNoLongerAddUpIsNamedAndTheRestChecked) {
  flip(2, StoredPart::kValue, 0);  // the high byte of the header's length
  VerifyReport report = verifyStore(*store_).value();
  EXPECT_EQ(report.headers, 5u);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].seq, 2u);
  EXPECT_EQ(problemName(report.problems[0].problem), "header_unreadable");
}

}  // namespace
}  // namespace eichub::store
