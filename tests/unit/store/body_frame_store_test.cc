// A body that comes with its zstd frame (a peer sent it, or a store read it) is stored as that
// frame, not compressed again, and read back with it, also when it fills in a header held
// without its body (selective sync); a frame of another body of the same size is not used, and
// a body without a frame is compressed by the store.
#include <gtest/gtest.h>
#include <zstd.h>

#include "node/store/catalog_store.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/store/store_fixtures.h"

namespace eichub::store {
namespace {

using testing::TestFeed;

// Level 19: bytes the store's own levels (1 and -1) do not produce, so a stored frame equal to
// it can only be the one given.
Bytes frameOf(const Bytes& body) {
  Bytes frame(ZSTD_compressBound(body.size()));
  const size_t size = ZSTD_compress(frame.data(), frame.size(), body.data(), body.size(), 19);
  EXPECT_FALSE(ZSTD_isError(size));
  frame.resize(size);
  return frame;
}

feed::SignedUpdate readBack(CatalogStore& store, const PublicKey& author, uint64_t seq) {
  auto run = store.queries().readFeed(author, seq, seq, 1);
  EXPECT_TRUE(run.ok() && run->size() == 1);
  return run.ok() && !run->empty() ? run->front() : feed::SignedUpdate{};
}

TEST(BodyFrameStoreTest, ABodyArrivingWithItsFrameIsStoredAsThatFrame) {
  eichub::testing::TempDir dir;
  auto store = CatalogStore::open(dir.path(), {}).value();
  TestFeed feed;
  const std::string label(600, 'w');
  feed::VerifiedUpdate with_frame = feed.skill("s1", {{"en", label}});
  const Bytes frame = frameOf(with_frame.signed_update.body);
  with_frame.signed_update.body_zstd = frame;
  feed::VerifiedUpdate other_frame = feed.skill("s2", {{"en", label + "x"}});
  // Another body's frame (capnp pads both texts to the same size): checked, and not used.
  other_frame.signed_update.body_zstd = frame;
  ASSERT_EQ(other_frame.signed_update.body.size(), with_frame.signed_update.body.size());
  feed::VerifiedUpdate without = feed.skill("s3", {{"en", label + "y"}});
  ASSERT_TRUE(store->writer().apply({with_frame, other_frame, without}).ok());

  const feed::SignedUpdate first = readBack(*store, feed.author(), 1);
  EXPECT_EQ(first.body, with_frame.signed_update.body);
  EXPECT_EQ(first.body_zstd, frame);
  for (uint64_t seq : {2, 3}) {
    const feed::VerifiedUpdate& sent = seq == 2 ? other_frame : without;
    const feed::SignedUpdate held = readBack(*store, feed.author(), seq);
    EXPECT_EQ(held.body, sent.signed_update.body) << seq;
    ASSERT_FALSE(held.body_zstd.empty()) << seq;  // compressed by the store
    EXPECT_NE(held.body_zstd, frame) << seq;
    Bytes plain(sent.signed_update.body.size());
    EXPECT_EQ(
        ZSTD_decompress(plain.data(), plain.size(), held.body_zstd.data(), held.body_zstd.size()),
        plain.size());
    EXPECT_EQ(plain, sent.signed_update.body) << seq;
  }
}

// Headers held without their bodies, then the bodies fetched: the same rule.
TEST(BodyFrameStoreTest, AFetchedBodyWithItsFrameIsAttachedAsThatFrame) {
  eichub::testing::TempDir dir;
  auto store = CatalogStore::open(dir.path(), {}).value();
  TestFeed feed;
  const std::string label(600, 'w');
  feed::VerifiedUpdate with_frame = feed.skill("s1", {{"en", label}});
  feed::VerifiedUpdate other_frame = feed.skill("s2", {{"en", label + "x"}});
  ASSERT_EQ(other_frame.signed_update.body.size(), with_frame.signed_update.body.size());
  std::vector<feed::VerifiedUpdate> headers = {with_frame, other_frame};
  for (feed::VerifiedUpdate& header : headers) header.signed_update.body.clear();
  ASSERT_TRUE(store->writer().apply(headers).ok());
  ASSERT_TRUE(readBack(*store, feed.author(), 1).body.empty());

  const Bytes frame = frameOf(with_frame.signed_update.body);
  with_frame.signed_update.body_zstd = frame;
  other_frame.signed_update.body_zstd = frame;  // another body's: checked, and not used
  auto stats = store->writer().apply({with_frame, other_frame});
  ASSERT_TRUE(stats.ok()) << stats.status().toString();
  EXPECT_EQ(stats->bodies_attached, 2u);

  const feed::SignedUpdate first = readBack(*store, feed.author(), 1);
  EXPECT_EQ(first.body, with_frame.signed_update.body);
  EXPECT_EQ(first.body_zstd, frame);
  const feed::SignedUpdate second = readBack(*store, feed.author(), 2);
  EXPECT_EQ(second.body, other_frame.signed_update.body);
  EXPECT_NE(second.body_zstd, frame);
}

}  // namespace
}  // namespace eichub::store
