// AnswerCache: answers are served only at the store position they were computed at.
#include "node/http/oai/oai_cache.h"

#include <gtest/gtest.h>

namespace eichub::http::oai {
namespace {

TEST(OaiCacheTest, AnswersStayWhileTheStoreStaysAndGoWhenItMoves) {
  AnswerCache cache;
  const StorePosition at{10, 3};
  EXPECT_FALSE(cache.identify(at));
  cache.keepIdentify(at, "2026-12-06T00:00:00Z");
  cache.keepSets(at, "<ListSets/>");
  FirstPage page;
  page.complete = 120;
  page.items = "<header/>";
  cache.keepFirstPage(at, "ListRecords oai_dc", page);
  EXPECT_EQ(cache.identify(at), "2026-12-06T00:00:00Z");
  EXPECT_EQ(cache.sets(at), "<ListSets/>");
  ASSERT_TRUE(cache.firstPage(at, "ListRecords oai_dc"));
  EXPECT_EQ(cache.firstPage(at, "ListRecords oai_dc")->complete, 120u);
  EXPECT_FALSE(cache.firstPage(at, "ListRecords elm_loq"));
  // A new change, or a batch that added none: everything goes.
  EXPECT_FALSE(cache.firstPage({11, 3}, "ListRecords oai_dc"));
  EXPECT_FALSE(cache.identify({11, 3}));
  cache.keepSets({11, 3}, "<ListSets>x</ListSets>");
  EXPECT_FALSE(cache.sets({11, 4}));
  // An answer kept under an older position is dropped, never served at the new one.
  cache.keepIdentify({11, 3}, "old");
  EXPECT_FALSE(cache.identify({11, 4}));
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
