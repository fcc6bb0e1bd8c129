// The daemon's subscription from config, with ESCO skill subtrees read from a real store.
#include "node/daemon/subscription.h"

#include <gtest/gtest.h>

#include "federation/crypto/ed25519_key.h"
#include "federation/feed/appender.h"
#include "node/catalog/record_json.h"
#include "tests/testing/temp_dir.h"

namespace eichub::daemon {
namespace {

// A skill (or skill group) with broader links, as the ESCO importer stores it.
catalog::Change skillConcept(const std::string& kind, const std::string& uri,
                             const std::vector<std::string>& broader) {
  nlohmann::json record = {{"kind", kind}, {"id", uri}, {"prefLabel", {{"en", uri}}}};
  if (!broader.empty()) record["broader"] = broader;
  auto change = catalog::changeFromJson(record);
  EXPECT_TRUE(change.ok()) << change.status().toString();
  return *change;
}

TEST(DaemonSubscriptionTest, SkillsStandForTheirSubtreesInTheStore) {
  testing::TempDir dir;
  auto store = store::CatalogStore::open(dir.path(), {}).value();
  auto key = crypto::SigningKey::generate().value();
  feed::FeedAppender appender(key, "test-net", {});
  std::vector<feed::VerifiedUpdate> batch;
  for (const catalog::Change& c :
       {skillConcept("SkillGroup", "g:root", {}), skillConcept("Skill", "s:child", {"g:root"}),
        skillConcept("Skill", "s:grandchild", {"s:child"}),
        skillConcept("Skill", "s:loop", {"s:loop"}),
        skillConcept("Skill", "s:elsewhere", {"g:other"})}) {
    batch.push_back(appender.append(c.op, catalog::kindCode(c.kind), c.id, c.tags, c.body, 1000));
  }
  ASSERT_TRUE(store->writer().apply(batch).ok());

  config::Options options;
  options.subscribe_kinds = {"LearningResource", "SkillNeed"};
  options.subscribe_sectors = {"healthcare"};
  options.subscribe_regions = {"UKE"};
  options.subscribe_skills = {"g:root", "s:loop", "s:not-in-store"};
  auto subscription = subscriptionOf(options, *store);
  ASSERT_TRUE(subscription.ok()) << subscription.status().toString();
  EXPECT_EQ(subscription->kinds,
            (std::set<catalog::Kind>{catalog::Kind::LEARNING_RESOURCE, catalog::Kind::SKILL_NEED}));
  EXPECT_EQ(subscription->skills, (std::set<std::string>{"g:root", "s:child", "s:grandchild",
                                                         "s:loop", "s:not-in-store"}));
  EXPECT_TRUE(subscriptionOf(config::Options{}, *store)->everything());
}

}  // namespace
}  // namespace eichub::daemon
