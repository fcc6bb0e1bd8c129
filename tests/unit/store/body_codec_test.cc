// The store's body codec: text bodies shrink and read back as signed; what is short or does not
// shrink stays raw; a damaged or oversized frame is Corruption, never a crash or a huge buffer.
#include "node/store/internal/body_codec.h"

#include <random>
#include <string>

#include <gtest/gtest.h>
#include <zstd.h>

#include "federation/feed/update.h"

namespace eichub::store::internal {
namespace {

Bytes textBody(size_t size) {
  const std::string words = "assess wound dressing infection healing patient record safety ";
  Bytes body;
  for (size_t i = 0; body.size() < size; ++i) body.push_back(static_cast<uint8_t>(words[i % 61]));
  return body;
}

Bytes plain(const StoredBody& stored) {
  Bytes scratch;
  auto body = decodeStoredBody(stored, scratch);
  EXPECT_TRUE(body.ok()) << body.status().toString();
  return body.ok() ? Bytes(body->begin(), body->end()) : Bytes{};
}

TEST(BodyCodecTest, TextShrinksAndReadsBackAsSigned) {
  BodyCompressor compressor;
  const Bytes body = textBody(4000);
  StoredBody stored = compressor.compress(body);
  EXPECT_EQ(stored.codec, BodyCodec::kZstd);
  EXPECT_LT(stored.bytes.size(), body.size() / 4);
  EXPECT_EQ(plain(stored), body);
  Bytes into{1, 2, 3};
  ASSERT_TRUE(decodeStoredBodyInto(stored, into).ok());
  EXPECT_EQ(into, body);
}

// Bodies under kSmallBodyBytes are compressed at another level by the same context: both sides
// of the bound shrink and read back, in either order.
TEST(BodyCodecTest, BodiesEitherSideOfTheSmallBodyBoundShrinkAndReadBack) {
  BodyCompressor compressor;
  const Bytes small_body = textBody(kSmallBodyBytes - 1);
  const Bytes large_body = textBody(kSmallBodyBytes);
  for (int round = 0; round < 2; ++round) {
    for (const Bytes* body : {&small_body, &large_body, &small_body}) {
      StoredBody stored = compressor.compress(*body);
      EXPECT_EQ(stored.codec, BodyCodec::kZstd) << body->size();
      EXPECT_LT(stored.bytes.size(), body->size() / 2) << body->size();
      EXPECT_EQ(plain(stored), *body) << body->size();
    }
  }
}

TEST(BodyCodecTest, ShortOrIncompressibleBodiesStayRaw) {
  BodyCompressor compressor;
  const Bytes short_body = textBody(kMinCompressedBodyBytes - 1);
  StoredBody stored = compressor.compress(short_body);
  EXPECT_EQ(stored.codec, BodyCodec::kRaw);
  EXPECT_EQ(stored.bytes.data(), short_body.data());  // borrowed, not copied

  std::mt19937 random(7);
  Bytes noise(2000);
  for (uint8_t& byte : noise) byte = static_cast<uint8_t>(random());
  stored = compressor.compress(noise);
  EXPECT_EQ(stored.codec, BodyCodec::kRaw);
  EXPECT_EQ(plain(stored), noise);

  EXPECT_EQ(compressor.compress(ByteView()).codec, BodyCodec::kRaw);
  EXPECT_TRUE(plain(StoredBody{}).empty());
}

TEST(BodyCodecTest, DamagedFramesAreCorruption) {
  BodyCompressor compressor;
  const Bytes body = textBody(3000);
  const StoredBody stored = compressor.compress(body);
  ASSERT_EQ(stored.codec, BodyCodec::kZstd);
  const Bytes frame(stored.bytes.begin(), stored.bytes.end());
  Bytes scratch;
  for (size_t cut : {size_t{0}, size_t{3}, frame.size() / 2, frame.size() - 1}) {
    auto decoded = decodeStoredBody({BodyCodec::kZstd, ByteView(frame).first(cut)}, scratch);
    EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption) << cut;
  }
  EXPECT_EQ(decodeStoredBody({static_cast<BodyCodec>(9), frame}, scratch).status().code(),
            Status::Code::kCorruption);
}

TEST(BodyCodecTest, AFrameNamingMoreThanTheBodyLimitIsRefusedBeforeAllocating) {
  // A few hundred bytes that would decompress to 64 MiB: refused from the frame's size field.
  const Bytes zeros(feed::kMaxBodyBytes + 1, 0);
  Bytes frame(ZSTD_compressBound(zeros.size()));
  const size_t size = ZSTD_compress(frame.data(), frame.size(), zeros.data(), zeros.size(), 1);
  ASSERT_FALSE(ZSTD_isError(size));
  frame.resize(size);
  Bytes scratch;
  auto decoded = decodeStoredBody({BodyCodec::kZstd, frame}, scratch);
  EXPECT_EQ(decoded.status().code(), Status::Code::kCorruption);
  EXPECT_NE(decoded.status().message().find("limit"), std::string::npos);
  EXPECT_TRUE(scratch.empty());
}

}  // namespace
}  // namespace eichub::store::internal
