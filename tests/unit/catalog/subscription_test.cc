// Subscription matching on header kinds and tags.
#include "node/catalog/subscription.h"

#include <gtest/gtest.h>

namespace eichub::catalog {
namespace {

feed::HeaderFields header(catalog::Kind kind, std::vector<std::string> tags) {
  feed::HeaderFields f;
  f.kind = kindCode(kind);
  f.tags = std::move(tags);
  return f;
}

TEST(SubscriptionTest, EmptyMatchesEverything) {
  Subscription all;
  EXPECT_TRUE(all.everything());
  EXPECT_TRUE(all.matches(header(catalog::Kind::SKILL, {})));
}

TEST(SubscriptionTest, EveryNonEmptyDimensionMustMatch) {
  Subscription s;
  s.kinds = {catalog::Kind::LEARNING_RESOURCE};
  s.sectors = {"healthcare"};
  s.regions = {"UKE"};
  EXPECT_FALSE(s.everything());
  const auto lr = catalog::Kind::LEARNING_RESOURCE;
  EXPECT_TRUE(s.matches(header(lr, {"region:UKE42", "sector:construction", "sector:healthcare"})));
  EXPECT_FALSE(s.matches(header(catalog::Kind::PROVIDER, {"region:UKE42", "sector:healthcare"})));
  EXPECT_FALSE(s.matches(header(lr, {"region:DE501", "sector:healthcare"})));
  EXPECT_FALSE(s.matches(header(lr, {"region:UKE42", "sector:health"})));
  EXPECT_FALSE(s.matches(header(lr, {"region:UKE42"})));  // names no sector: in none
  // A tag's value is compared whole: "sector:" alone, or a skill uri, is not a sector.
  EXPECT_FALSE(s.matches(header(lr, {"region:UKE42", "sector:", "skill:healthcare"})));
}

TEST(SubscriptionTest, SkillsMatchExactUris) {
  Subscription s;
  s.skills = {"http://data.europa.eu/esco/skill/a"};
  EXPECT_TRUE(
      s.matches(header(catalog::Kind::SKILL_NEED, {"skill:http://data.europa.eu/esco/skill/a"})));
  EXPECT_FALSE(
      s.matches(header(catalog::Kind::SKILL_NEED, {"skill:http://data.europa.eu/esco/skill/ab"})));
}

TEST(SubscriptionTest, TheBodyFilterIsEmptyForEverythingAndMatchesOtherwise) {
  EXPECT_FALSE(Subscription{}.bodyFilter());  // a full node: the engine asks for every body
  Subscription s;
  s.sectors = {"healthcare"};
  auto filter = s.bodyFilter();
  s.sectors = {"construction"};  // the filter holds its own copy
  ASSERT_TRUE(filter);
  EXPECT_TRUE(filter(header(catalog::Kind::PROVIDER, {"sector:healthcare"})));
  EXPECT_FALSE(filter(header(catalog::Kind::PROVIDER, {"sector:construction"})));
}

}  // namespace
}  // namespace eichub::catalog
