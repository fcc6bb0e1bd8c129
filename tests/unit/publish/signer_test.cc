// Signer: chunks of drafts come back in the order they were submitted, every update signed and
// chained to the one before it (feed format 2: prev hashes the previous signed header).
#include "node/publish/signer.h"

#include <gtest/gtest.h>

#include "federation/feed/verify.h"
#include "node/catalog/kinds.h"

namespace eichub::publish {
namespace {

Draft deleteDraft(const std::string& id, int64_t time_ms) {
  Draft draft;
  draft.fields.op = feed::Op::DELETE;
  draft.fields.kind = catalog::kindCode(catalog::Kind::PROVIDER);
  draft.fields.id = id;
  draft.time_ms = time_ms;
  return draft;
}

// Checks chunk against chain, each update verified on its own and linked to the one before.
void expectChained(const std::vector<feed::VerifiedUpdate>& chunk, feed::Head& chain) {
  for (const feed::VerifiedUpdate& update : chunk) {
    auto verified = feed::verifyUpdate(update.signed_update, "test-net");
    ASSERT_TRUE(verified.ok()) << verified.status().toString();
    ASSERT_TRUE(feed::checkLink(chain, verified->fields).ok());
    ASSERT_EQ(verified->hash, update.hash);
    chain = feed::headAfter(*verified);
  }
}

TEST(SignerTest, ReturnsChunksInOrderSigned) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  Signer signer(*key, "test-net", feed::Head{});
  std::vector<uint64_t> sizes = {3, 1, 5};
  for (uint64_t size : sizes) {
    std::vector<Draft> chunk;
    for (uint64_t i = 0; i < size; ++i)
      chunk.push_back(deleteDraft("p/" + std::to_string(i), 1000));
    signer.submit(std::move(chunk));
  }
  feed::Head chain;
  for (uint64_t size : sizes) {
    std::vector<feed::VerifiedUpdate> chunk = signer.take();
    ASSERT_EQ(chunk.size(), size);
    expectChained(chunk, chain);
  }
  EXPECT_EQ(chain.seq, 9u);
}

// The first draft follows the head handed to the signer, not seq 1.
TEST(SignerTest, ContinuesTheFeedFromItsHead) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  feed::FeedAppender appender(*key, "test-net", feed::Head{});
  feed::VerifiedUpdate first = appender.append(
      feed::Op::DELETE, catalog::kindCode(catalog::Kind::PROVIDER), "p", {}, {}, 5000);
  Signer signer(*key, "test-net", feed::headAfter(first));
  signer.submit({deleteDraft("q", 1000)});
  std::vector<feed::VerifiedUpdate> chunk = signer.take();
  ASSERT_EQ(chunk.size(), 1u);
  EXPECT_EQ(chunk[0].fields.seq, 2u);
  EXPECT_EQ(chunk[0].fields.prev, first.hash);
  EXPECT_EQ(chunk[0].fields.time_ms, 5000);  // never before the head's time
}

// Without a thread of its own the caller signs every chunk in take(): the same updates, in
// order, chained.
TEST(SignerTest, WithoutAThreadTheCallerSignsEveryChunk) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  Signer signer(*key, "test-net", feed::Head{}, SignerThread::kNone);
  signer.submit({deleteDraft("p/1", 1000), deleteDraft("p/2", 1000)});
  signer.submit({deleteDraft("p/3", 1000)});
  feed::Head chain;
  std::vector<feed::VerifiedUpdate> first = signer.take();
  ASSERT_EQ(first.size(), 2u);
  expectChained(first, chain);
  std::vector<feed::VerifiedUpdate> second = signer.take();
  ASSERT_EQ(second.size(), 1u);
  expectChained(second, chain);
  EXPECT_EQ(chain.seq, 3u);
  EXPECT_EQ(second[0].fields.id, "p/3");
}

// With many chunks queued, take() signs some on the calling thread while the signer's thread
// signs others, one at a time: the chunks still come back whole, in order, chained.
TEST(SignerTest, ChunksSignedByTheCallerComeBackInOrder) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  Signer signer(*key, "test-net", feed::Head{});
  constexpr int kChunks = 64;
  constexpr int kChunkUpdates = 8;
  for (int c = 0; c < kChunks; ++c) {
    std::vector<Draft> chunk;
    for (int i = 0; i < kChunkUpdates; ++i) {
      chunk.push_back(deleteDraft("p/" + std::to_string(c * kChunkUpdates + i), 1000));
    }
    signer.submit(std::move(chunk));
  }
  feed::Head chain;
  for (int c = 0; c < kChunks; ++c) {
    std::vector<feed::VerifiedUpdate> chunk = signer.take();
    ASSERT_EQ(chunk.size(), size_t{kChunkUpdates});
    expectChained(chunk, chain);
  }
  EXPECT_EQ(chain.seq, uint64_t{kChunks * kChunkUpdates});
}

TEST(SignerTest, StopsWithChunksLeft) {
  auto key = crypto::SigningKey::generate();
  ASSERT_TRUE(key.ok());
  Signer signer(*key, "test-net", feed::Head{});
  for (int i = 0; i < 4; ++i) signer.submit({deleteDraft("p", 1)});
  // The destructor stops the thread without taking what was signed; nothing to assert but a
  // clean stop (ASan and TSan builds check it).
}

}  // namespace
}  // namespace eichub::publish
