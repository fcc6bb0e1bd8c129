// Signer: chunks come back in the order they were submitted, every update signed.
#include "node/publish/signer.h"

#include <gtest/gtest.h>

#include "federation/feed/appender.h"
#include "federation/feed/verify.h"

namespace eichub::publish {
namespace {

TEST(SignerTest, ReturnsChunksInOrderSigned) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  feed::FeedAppender appender(*key, "test-net", feed::Head{});
  Signer signer(*key);
  std::vector<uint64_t> sizes = {3, 1, 5};
  for (uint64_t size : sizes) {
    std::vector<feed::VerifiedUpdate> chunk;
    for (uint64_t i = 0; i < size; ++i) {
      chunk.push_back(appender.appendUnsigned(feed::Op::DELETE, feed::Kind::PROVIDER,
                                              "p/" + std::to_string(i), {}, {}, 1000));
    }
    signer.submit(std::move(chunk));
  }
  feed::Head chain;
  for (uint64_t size : sizes) {
    std::vector<feed::VerifiedUpdate> chunk = signer.take();
    ASSERT_EQ(chunk.size(), size);
    for (const feed::VerifiedUpdate& update : chunk) {
      auto verified = feed::verifyUpdate(update.signed_update, "test-net");
      ASSERT_TRUE(verified.ok()) << verified.status().toString();
      ASSERT_TRUE(feed::checkLink(chain, verified->fields).ok());
      chain = feed::headAfter(*verified);
    }
  }
}

// With many chunks queued, take() signs some on the calling thread while the signer's thread
// signs others: the chunks still come back whole, in order, every signature valid.
TEST(SignerTest, ChunksSignedByTheCallerComeBackInOrder) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  feed::FeedAppender appender(*key, "test-net", feed::Head{});
  Signer signer(*key);
  constexpr int kChunks = 64;
  constexpr int kChunkUpdates = 8;
  for (int c = 0; c < kChunks; ++c) {
    std::vector<feed::VerifiedUpdate> chunk;
    for (int i = 0; i < kChunkUpdates; ++i) {
      chunk.push_back(appender.appendUnsigned(feed::Op::DELETE, feed::Kind::PROVIDER,
                                              "p/" + std::to_string(c * kChunkUpdates + i), {}, {},
                                              1000));
    }
    signer.submit(std::move(chunk));
  }
  feed::Head chain;
  for (int c = 0; c < kChunks; ++c) {
    std::vector<feed::VerifiedUpdate> chunk = signer.take();
    ASSERT_EQ(chunk.size(), size_t{kChunkUpdates});
    for (const feed::VerifiedUpdate& update : chunk) {
      auto verified = feed::verifyUpdate(update.signed_update, "test-net");
      ASSERT_TRUE(verified.ok()) << verified.status().toString();
      ASSERT_TRUE(feed::checkLink(chain, verified->fields).ok());
      chain = feed::headAfter(*verified);
    }
  }
  EXPECT_EQ(chain.seq, uint64_t{kChunks * kChunkUpdates});
}

TEST(SignerTest, StopsWithChunksLeft) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  feed::FeedAppender appender(*key, "test-net", feed::Head{});
  Signer signer(*key);
  for (int i = 0; i < 4; ++i) {
    std::vector<feed::VerifiedUpdate> chunk;
    chunk.push_back(
        appender.appendUnsigned(feed::Op::DELETE, feed::Kind::PROVIDER, "p", {}, {}, 1));
    signer.submit(std::move(chunk));
  }
  // The destructor stops the thread without taking what was signed.
}

}  // namespace
}  // namespace eichub::publish
