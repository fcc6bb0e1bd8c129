// AnswerCache: first pages are served only at the store position they were computed at;
// Identify there, and elsewhere for kSummaryKeptMs after it was kept; the sets gathered
// furthest are kept.
#include "node/http/oai/oai_cache.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace eichub::http::oai {
namespace {

TEST(OaiCacheTest, FirstPagesStayWhileTheStoreStaysAndGoWhenItMoves) {
  AnswerCache cache;
  const StorePosition at{10, 3};
  FirstPage page;
  page.complete = 120;
  page.items = "<header/>";
  cache.keepFirstPage(at, "ListRecords oai_dc", page);
  ASSERT_TRUE(cache.firstPage(at, "ListRecords oai_dc"));
  EXPECT_EQ(cache.firstPage(at, "ListRecords oai_dc")->complete, 120u);
  EXPECT_FALSE(cache.firstPage(at, "ListRecords elm_loq"));
  // A new change, or a batch that added none: every page goes.
  EXPECT_FALSE(cache.firstPage({11, 3}, "ListRecords oai_dc"));
  cache.keepFirstPage({11, 3}, "ListRecords oai_dc", page);
  EXPECT_FALSE(cache.firstPage({11, 4}, "ListRecords oai_dc"));
  // A page kept under an older position is dropped, never served at the new one.
  cache.keepFirstPage({11, 3}, "ListRecords oai_dc", page);
  EXPECT_FALSE(cache.firstPage({11, 4}, "ListRecords oai_dc"));
}

TEST(OaiCacheTest, IdentifyStaysAtItsPositionAndAMinuteAfterTheStoreMoves) {
  AnswerCache cache;
  const StorePosition at{10, 3};
  const int64_t t0 = 1'000'000;
  EXPECT_FALSE(cache.identify(at, t0));
  cache.keepIdentify(at, t0, "2026-12-06T00:00:00Z");
  // At its position: kept however old.
  EXPECT_EQ(cache.identify(at, t0 + 10 * kSummaryKeptMs), "2026-12-06T00:00:00Z");
  // The store moved: kept until kSummaryKeptMs after it was kept, then computed again.
  const StorePosition later{11, 4};
  EXPECT_EQ(cache.identify(later, t0 + kSummaryKeptMs - 1), "2026-12-06T00:00:00Z");
  EXPECT_FALSE(cache.identify(later, t0 + kSummaryKeptMs));
  // A clock read before the answer was kept (another thread's) does not serve it elsewhere.
  EXPECT_FALSE(cache.identify(later, t0 - 1));
  // Kept again at the new position, for another minute of moves.
  cache.keepIdentify(later, t0 + kSummaryKeptMs, "2026-12-06T00:00:01Z");
  EXPECT_EQ(cache.identify({12, 5}, t0 + 2 * kSummaryKeptMs - 1), "2026-12-06T00:00:01Z");
}

TEST(OaiCacheTest, TheSetsGatheredFurthestAreKept) {
  AnswerCache cache;
  EXPECT_FALSE(cache.sets());
  cache.keepSets({{20, 4}, {"kind:Provider", "region:UKE42"}});
  // A request that walked less far (it began earlier) does not replace them.
  cache.keepSets({{15, 4}, {"kind:Provider"}});
  ASSERT_TRUE(cache.sets());
  EXPECT_EQ(cache.sets()->at, (StorePosition{20, 4}));
  EXPECT_EQ(cache.sets()->names, (std::set<std::string>{"kind:Provider", "region:UKE42"}));
  cache.keepSets({{21, 5}, {"kind:Provider", "region:DE501", "region:UKE42"}});
  EXPECT_EQ(cache.sets()->names.size(), 3u);
}

TEST(OaiCacheTest, FirstPagesAreBounded) {
  AnswerCache cache;
  const StorePosition at{1, 1};
  for (size_t i = 0; i <= kMaxCachedFirstPages; ++i) {
    cache.keepFirstPage(at, "s" + std::to_string(i), FirstPage{});
  }
  EXPECT_TRUE(cache.firstPage(at, "s0"));
  EXPECT_TRUE(cache.firstPage(at, "s" + std::to_string(kMaxCachedFirstPages - 1)));
  EXPECT_FALSE(cache.firstPage(at, "s" + std::to_string(kMaxCachedFirstPages)));
}

}  // namespace
}  // namespace eichub::http::oai
