// Tests for feed export files: round trip, and the first bad entry is named.
#include "federation/feed/feed_file.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "federation/feed/appender.h"
#include "tests/testing/kind_codes.h"
#include "tests/testing/temp_dir.h"

namespace eichub::feed {
namespace {

constexpr char kNet[] = "test-net";

class FeedFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<crypto::SigningKey>(std::move(key).value());
    FeedAppender app(*key_, kNet, Head{});
    for (int i = 0; i < 5; ++i) {
      std::string body = "record " + std::to_string(i);
      updates_.push_back(app.append(Op::UPSERT, testing::kProviderKind, "p/" + std::to_string(i),
                                    {}, Bytes(body.begin(), body.end()), 1000 + i)
                             .signed_update);
    }
  }
  std::string write(const std::vector<SignedUpdate>& updates) {
    std::string path = dir_.file("a.feed");
    EXPECT_TRUE(writeFeedFile(path, key_->publicKey(), kNet, updates).ok());
    return path;
  }
  static Bytes readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), {});
  }
  static void writeAll(const std::string& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }

  testing::TempDir dir_;
  std::unique_ptr<crypto::SigningKey> key_;
  std::vector<SignedUpdate> updates_;
};

TEST_F(FeedFileTest, RoundTripVerifiesEverything) {
  std::string path = write(updates_);
  std::vector<VerifiedUpdate> read;
  FeedFileReport report = verifyFeedFile(path, &read);
  ASSERT_TRUE(report.error.ok()) << report.error.toString();
  EXPECT_EQ(report.count, 5u);
  EXPECT_EQ(report.first_seq, 1u);
  EXPECT_EQ(report.head.seq, 5u);
  EXPECT_EQ(report.author, key_->publicKey());
  ASSERT_EQ(read.size(), 5u);
  EXPECT_EQ(read[4].signed_update.body, updates_[4].body);
}

TEST_F(FeedFileTest, ForgedSignatureIsNamed) {
  updates_[2].signature[0] ^= 1;
  FeedFileReport report = verifyFeedFile(write(updates_), nullptr);
  EXPECT_EQ(report.error.code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(report.bad_index, 3u);
  EXPECT_EQ(report.count, 2u);
}

TEST_F(FeedFileTest, MissingEntryBreaksTheChain) {
  updates_.erase(updates_.begin() + 3);
  FeedFileReport report = verifyFeedFile(write(updates_), nullptr);
  EXPECT_FALSE(report.error.ok());
  EXPECT_EQ(report.bad_index, 4u);
}

TEST_F(FeedFileTest, TruncatedGarbageAndTrailingBytes) {
  std::string path = write(updates_);
  Bytes bytes = readAll(path);
  writeAll(path, Bytes(bytes.begin(), bytes.end() - 20));
  FeedFileReport truncated = verifyFeedFile(path, nullptr);
  EXPECT_FALSE(truncated.error.ok());
  EXPECT_EQ(truncated.bad_index, 5u);

  Bytes trailing = bytes;
  trailing.push_back(0);
  writeAll(path, trailing);
  EXPECT_FALSE(verifyFeedFile(path, nullptr).error.ok());

  writeAll(path, Bytes{'n', 'o', 'p', 'e'});
  EXPECT_FALSE(verifyFeedFile(path, nullptr).error.ok());
  EXPECT_EQ(verifyFeedFile(dir_.file("missing"), nullptr).error.code(), Status::Code::kNotFound);
}

TEST_F(FeedFileTest, EveryFlippedByteIsCaughtWithoutCrashing) {
  std::string path = write(updates_);
  Bytes bytes = readAll(path);
  for (size_t i = 0; i < bytes.size(); i += 7) {
    Bytes bad = bytes;
    bad[i] ^= 0x5a;
    writeAll(path, bad);
    FeedFileReport report = verifyFeedFile(path, nullptr);
    // A flip may land in padding that nothing reads; it must never pass with changed content.
    if (report.error.ok()) {
      std::vector<VerifiedUpdate> read;
      writeAll(path, bad);
      ASSERT_TRUE(verifyFeedFile(path, &read).error.ok());
      for (size_t k = 0; k < read.size(); ++k) {
        EXPECT_EQ(read[k].signed_update.header, updates_[k].header) << "byte " << i;
        EXPECT_EQ(read[k].signed_update.body, updates_[k].body) << "byte " << i;
      }
    }
  }
}

}  // namespace
}  // namespace eichub::feed
