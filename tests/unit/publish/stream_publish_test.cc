// publishStream, the two-pass publish of `eichub publish <file.jsonl>` and `eichub import csv`: a
// file larger than one part is published in parts, each committed; a bad line anywhere
// publishes nothing (strict) or is skipped and reported (--skip-bad); a vendor change outside
// the scope in a late part signs nothing; a file that changes between the passes is caught.
#include "node/publish/stream_publish.h"

#include <fstream>

#include <gtest/gtest.h>

#include "node/catalog/jsonl_reader.h"
#include "tests/testing/keys.h"
#include "tests/testing/temp_dir.h"

namespace eichub::publish {
namespace {

constexpr char kNet[] = "test-net";
// Lines in the large file: more than three parts.
constexpr size_t kManyLines = 3 * kStreamBatchChanges + 5;

std::string skillLine(size_t i, const std::string& label = "skill") {
  return R"({"kind":"Skill","id":"s:)" + std::to_string(i) + R"(","prefLabel":{"en":")" + label +
         " " + std::to_string(i) + "\"}}\n";
}

std::string resourceLine(const std::string& id) {
  return R"({"kind":"LearningResource","id":")" + id + R"(","title":{"en":"Course"}})" + "\n";
}

class StreamPublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::CatalogStore::open(dir_.file("store"), {}).value();
    node_key_ = std::make_unique<crypto::SigningKey>(crypto::SigningKey::generate().value());
  }
  std::string write(const std::string& name, const std::string& content) {
    const std::string path = dir_.file(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  LocalPublish how(const crypto::SigningKey& key) {
    LocalPublish out{key, node_key_->publicKey(), kNet};
    out.notify = [this] { ++notified_; };
    out.clock = [this] { return clock_ms_ += 1; };
    return out;
  }
  // Publishes the JSON Lines file at path with options.
  Result<StreamResult> publish(const std::string& path, const LocalPublish& how,
                               const catalog::LoadOptions& options = {}) {
    return publishStream(*store_, how, path, options, [&](catalog::ChangeSink& sink) {
      return catalog::scanJsonLines(path, options, sink);
    });
  }
  uint64_t headSeq(const crypto::SigningKey& key) {
    return store_->queries().head(key.publicKey())->seq;
  }

  testing::TempDir dir_;
  std::unique_ptr<store::CatalogStore> store_;
  std::unique_ptr<crypto::SigningKey> node_key_;
  int notified_ = 0;
  int64_t clock_ms_ = 1000;
};

TEST_F(StreamPublishTest, ALargeFileIsPublishedInPartsEachCommitted) {
  std::string content;
  for (size_t i = 0; i < kManyLines; ++i) content += skillLine(i);
  content += skillLine(7);  // an identical repeat: dropped and counted
  const std::string path = write("many.jsonl", content);
  uint64_t last_done = 0;
  uint64_t last_total = 0;
  LocalPublish own = how(*node_key_);
  own.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  auto result = publish(path, own);
  ASSERT_TRUE(result.ok()) << result.status().toString();
  EXPECT_EQ(result->summary.added, kManyLines);
  EXPECT_EQ(result->report.read, kManyLines + 1);
  EXPECT_EQ(result->report.duplicates, 1u);
  EXPECT_TRUE(result->report.changes.empty());
  // Each part commits its own batches: at least one per part.
  EXPECT_GE(result->summary.batches, 4u);
  EXPECT_EQ(headSeq(*node_key_), kManyLines);
  EXPECT_EQ(last_done, kManyLines);
  EXPECT_EQ(last_total, kManyLines);
  EXPECT_EQ(notified_, 1);
  // The same file again changes nothing and writes nothing.
  auto again = publish(path, how(*node_key_));
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(again->summary.unchanged, kManyLines);
  EXPECT_EQ(headSeq(*node_key_), kManyLines);
  EXPECT_EQ(notified_, 1);
}

TEST_F(StreamPublishTest, ABadLastLinePublishesNothing) {
  std::string content;
  for (size_t i = 0; i < kManyLines; ++i) content += skillLine(i);
  content += "{\"kind\":\"Skill\"}\n";  // no id
  const std::string path = write("bad.jsonl", content);
  auto result = publish(path, how(*node_key_));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
  const std::string where = path + ":" + std::to_string(kManyLines + 1) + ":";
  EXPECT_NE(result.status().message().find("nothing published: " + where), std::string::npos)
      << result.status().message();
  EXPECT_EQ(headSeq(*node_key_), 0u);
  EXPECT_EQ(notified_, 0);
}

TEST_F(StreamPublishTest, SkipBadPublishesTheGoodLinesAndReportsTheOthers) {
  std::string content = skillLine(1) + "not json\n" + skillLine(2) + skillLine(1) +
                        skillLine(2, "other") + skillLine(3);
  const std::string path = write("mixed.jsonl", content);
  catalog::LoadOptions options;
  options.mode = catalog::ErrorMode::kSkipBad;
  auto result = publish(path, how(*node_key_), options);
  ASSERT_TRUE(result.ok()) << result.status().toString();
  EXPECT_EQ(result->summary.added, 3u);  // s:1, s:2 (its first line), s:3
  EXPECT_EQ(result->report.skipped, 2u);
  EXPECT_EQ(result->report.duplicates, 1u);
  ASSERT_EQ(result->report.errors.size(), 2u);
  EXPECT_NE(result->report.errors[0].find(":2: malformed JSON"), std::string::npos);
  EXPECT_NE(result->report.errors[1].find("duplicate of line 3"), std::string::npos);
  auto held = store_->queries().record({catalog::Kind::SKILL, node_key_->publicKey(), "s:2"});
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->seq, 2u);  // the first line's content, not the differing repeat's
}

TEST_F(StreamPublishTest, AVendorChangeOutsideItsScopeInALatePartSignsNothing) {
  auto vendor = crypto::SigningKey::generate().value();
  const PublicKey member = eichub::testing::filledKey(9);
  LocalPublish as_vendor = how(vendor);
  as_vendor.trust = [&]() -> Result<trust::TrustState> {
    trust::TrustRecord delegation =
        trust::Delegation{vendor.publicKey(),
                          "Acme",
                          {catalog::kindCode(catalog::Kind::LEARNING_RESOURCE)},
                          "acme/",
                          0,
                          0};
    return trust::TrustState::derive(
        {{}, {member}, 1},
        {trust::HeldRecord{member, 1, 1, trust::recordId(delegation), delegation}});
  };
  std::string content;
  for (size_t i = 0; i < kStreamBatchChanges + 1; ++i) {
    content += resourceLine("acme/" + std::to_string(i));
  }
  content += resourceLine("other/1");
  auto result = publish(write("vendor.jsonl", content), as_vendor);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(result.status().message().find("other/1: out_of_scope_prefix"), std::string::npos)
      << result.status().message();
  EXPECT_EQ(headSeq(vendor), 0u);
}

// What fits in one part is published as it was checked: the input is read once.
TEST_F(StreamPublishTest, AFileOfOnePartIsReadOnce) {
  const std::string file = write("one.jsonl", skillLine(1) + skillLine(2) + skillLine(1));
  int scans = 0;
  catalog::LoadOptions options;
  options.mode = catalog::ErrorMode::kSkipBad;
  auto result =
      publishStream(*store_, how(*node_key_), file, options, [&](catalog::ChangeSink& sink) {
        ++scans;
        return catalog::scanJsonLines(file, options, sink);
      });
  ASSERT_TRUE(result.ok()) << result.status().toString();
  EXPECT_EQ(scans, 1);
  EXPECT_EQ(result->summary.added, 2u);  // the repeated line is a duplicate, as before
  EXPECT_EQ(headSeq(*node_key_), 2u);
}

// A file of more than one part is read again to publish: a line changed since the check stops
// the publish there.
TEST_F(StreamPublishTest, AFileThatChangesBetweenThePassesStopsThePublish) {
  std::string lines;
  for (size_t i = 3; i < kStreamBatchChanges + 3; ++i) lines += skillLine(i);
  const std::string first = write("first.jsonl", skillLine(1) + skillLine(2) + lines);
  const std::string second = write("second.jsonl", skillLine(1) + skillLine(2, "changed") + lines);
  int scans = 0;
  catalog::LoadOptions options;
  auto result =
      publishStream(*store_, how(*node_key_), first, options, [&](catalog::ChangeSink& sink) {
        return catalog::scanJsonLines(scans++ == 0 ? first : second, options, sink);
      });
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("changed since it was checked"), std::string::npos)
      << result.status().message();
  EXPECT_NE(result.status().message().find("publish stopped"), std::string::npos);
  // Line 2 was never published: the part is signed only when full or at the end.
  EXPECT_EQ(headSeq(*node_key_), 0u);
}

}  // namespace
}  // namespace eichub::publish
