// publishLocal, the one publish behind `eichub publish` and POST /api/v1/publish: a vendor key
// is checked before anything is signed, notify runs only when something was written, erases are
// counted.
#include "node/publish/local_publish.h"

#include <gtest/gtest.h>

#include "node/catalog/record_json.h"
#include "tests/testing/temp_dir.h"

namespace eichub::publish {
namespace {

constexpr char kNet[] = "test-net";

catalog::Change skill(const std::string& id, const std::string& label) {
  auto change =
      catalog::changeFromJson({{"kind", "Skill"}, {"id", id}, {"prefLabel", {{"en", label}}}});
  EXPECT_TRUE(change.ok()) << change.status().toString();
  return *change;
}

class LocalPublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::CatalogStore::open(dir_.path(), {}).value();
    node_key_ = std::make_unique<crypto::SigningKey>(crypto::SigningKey::generate().value());
  }
  LocalPublish how(const crypto::SigningKey& key) {
    LocalPublish out{key, node_key_->publicKey(), kNet};
    out.notify = [this] { ++notified_; };
    out.clock = [this] { return clock_ms_ += 1; };
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::CatalogStore> store_;
  std::unique_ptr<crypto::SigningKey> node_key_;
  int notified_ = 0;
  int64_t clock_ms_ = 1000;
};

TEST_F(LocalPublishTest, NotifiesOnlyWhenSomethingWasWritten) {
  auto summary = publishLocal(*store_, how(*node_key_), {skill("s:1", "one")});
  ASSERT_TRUE(summary.ok()) << summary.status().toString();
  EXPECT_EQ(summary->added, 1u);
  EXPECT_EQ(notified_, 1);
  summary = publishLocal(*store_, how(*node_key_), {skill("s:1", "one")});
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->unchanged, 1u);
  EXPECT_EQ(notified_, 1);
}

TEST_F(LocalPublishTest, CountsErases) {
  ASSERT_TRUE(publishLocal(*store_, how(*node_key_), {skill("s:1", "one")}).ok());
  auto summary =
      publishLocal(*store_, how(*node_key_), {catalog::eraseChange(catalog::Kind::SKILL, "s:1")});
  ASSERT_TRUE(summary.ok()) << summary.status().toString();
  EXPECT_EQ(summary->erased, 1u);
  EXPECT_EQ(notified_, 2);
}

TEST_F(LocalPublishTest, AVendorKeyNotAdmittedSignsNothing) {
  auto vendor = crypto::SigningKey::generate().value();
  LocalPublish as_vendor = how(vendor);
  as_vendor.trust = [this]() -> Result<trust::TrustState> {
    trust::TrustConfig config;
    config.direct = {node_key_->publicKey()};
    return trust::TrustState::derive(config, {});
  };
  auto summary = publishLocal(*store_, as_vendor, {skill("s:1", "one")});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(summary.status().message().find("not admitted"), std::string::npos);
  EXPECT_EQ(store_->queries().head(vendor.publicKey())->seq, 0u);
  EXPECT_EQ(notified_, 0);
}

TEST_F(LocalPublishTest, AVendorKeyWithoutATrustStateIsRefused) {
  auto vendor = crypto::SigningKey::generate().value();
  auto summary = publishLocal(*store_, how(vendor), {skill("s:1", "one")});
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(store_->queries().head(vendor.publicKey())->seq, 0u);
}

}  // namespace
}  // namespace eichub::publish
