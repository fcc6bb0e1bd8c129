// Bodies sent as zstd frames (Updates.bodyFrames, BodyItem.bodyFrame): sent only when asked,
// decoded to the body as signed within the body and batch (or bodies message) limits with the
// frame kept, and every hostile frame (not zstd, trailing bytes, two frames, no stated size, over
// the limits or the expansion bound, beside a body) refused with a Status before anything large
// is allocated.
#include <cstring>
#include <functional>
#include <string>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include "federation/feed/body_frame.h"
#include "federation/wire/messages.h"
#include "schemas/federation.capnp.h"
#include "tests/unit/wire/crafted_messages.h"

namespace eichub::wire {
namespace {

using crafted::frameOf;
using crafted::signedUpdate;
using crafted::textBody;

// An updates message whose one update carries frame in bodyFrames (and body, when not empty);
// frames_listed entries in bodyFrames (one, as it should be, unless a test says otherwise).
Bytes updateWithFrame(const Bytes& frame, const Bytes& body = {}, unsigned frames_listed = 1) {
  capnp::MallocMessageBuilder builder;
  auto message = builder.initRoot<schema::Message>().initUpdates();
  auto update = message.initUpdates(1)[0];
  const feed::SignedUpdate u = signedUpdate(1, 0);
  update.initSigned().setHeader(kj::arrayPtr(u.header.data(), u.header.size()));
  update.getSigned().setSignature(kj::arrayPtr(u.signature.data(), u.signature.size()));
  if (!body.empty()) update.setBody(kj::arrayPtr(body.data(), body.size()));
  auto frames = message.initBodyFrames(frames_listed);
  for (unsigned i = 0; i < frames_listed; ++i) {
    frames.set(i, kj::arrayPtr(frame.data(), frame.size()));
  }
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  return Bytes(words.asBytes().begin(), words.asBytes().end());
}

Status decodeStatus(const Bytes& bytes) { return decode(bytes).status(); }

TEST(BodyFramesTest, AFrameIsSentOnlyWhenAskedAndDecodesToTheSignedBody) {
  Updates updates;
  feed::SignedUpdate framed = signedUpdate(1, 0);
  framed.body = textBody(3000);
  framed.body_zstd = frameOf(framed.body);
  feed::SignedUpdate raw = signedUpdate(2, 500);
  feed::SignedUpdate left_out = signedUpdate(3, 0);  // a frame whose body was left out
  left_out.body_zstd = framed.body_zstd;
  updates.updates = {framed, raw, left_out};

  const Bytes plain = encode(updates);
  const Bytes with_frames = encode(updates, EncodeOptions{true});
  EXPECT_LT(with_frames.size() + 2000, plain.size());
  for (const Bytes* bytes : {&plain, &with_frames}) {
    auto back = decode(*bytes);
    ASSERT_TRUE(back.ok()) << back.status().toString();
    const auto& got = std::get<Updates>(*back).updates;
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].body, framed.body);
    EXPECT_EQ(got[0].body_zstd, bytes == &with_frames ? framed.body_zstd : Bytes{});
    EXPECT_EQ(got[1].body, raw.body);
    EXPECT_TRUE(got[1].body_zstd.empty());
    EXPECT_TRUE(got[2].body.empty());
    EXPECT_TRUE(got[2].body_zstd.empty());
  }
}

TEST(BodyFramesTest, AFrameNoSmallerThanItsBodyIsNotKept) {
  const Bytes body = {'a', 'b', 'c'};
  const Bytes frame = frameOf(body);
  ASSERT_GE(frame.size(), body.size());
  auto back = decode(updateWithFrame(frame));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(std::get<Updates>(*back).updates[0].body, body);
  EXPECT_TRUE(std::get<Updates>(*back).updates[0].body_zstd.empty());
}

// What frames decompress to counts against the batch limit, as raw bodies do.
TEST(BodyFramesTest, FramesDecompressWithinTheBatchLimit) {
  auto withUpdates = [&](size_t count) {
    Updates updates;
    for (size_t i = 0; i < count; ++i) {
      feed::SignedUpdate u = signedUpdate(i, 0);
      u.body = textBody(feed::kMaxBodyBytes, static_cast<uint32_t>(i));
      u.body_zstd = frameOf(u.body);
      updates.updates.push_back(std::move(u));
    }
    return encode(updates, EncodeOptions{true});
  };
  const size_t fits = kMaxBatchBytes / (feed::kMaxBodyBytes + 48 + 64);
  const Bytes within = withUpdates(fits);
  EXPECT_LT(within.size(), kMaxBatchBytes / 2);  // sent as frames
  EXPECT_TRUE(decodeStatus(within).ok()) << decodeStatus(within).toString();
  const Status over = decodeStatus(withUpdates(fits + 1));
  EXPECT_EQ(over.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(over.message().find("batch larger than"), std::string::npos) << over.toString();
}

// A frame of 256 KiB of zeros is a few dozen bytes: a message of such frames would make the
// receiver decompress a thousand times what it was sent. Refused past kMaxFrameExpansion, and a
// server sends such a body as signed instead.
TEST(BodyFramesTest, AFrameThatExpandsPastTheBoundIsRefusedAndNeverSent) {
  const Bytes zeros(feed::kMaxBodyBytes, 0);
  const Bytes frame = frameOf(zeros);
  ASSERT_GT(zeros.size(), frame.size() * kMaxFrameExpansion);
  const Status refused = decodeStatus(updateWithFrame(frame));
  EXPECT_EQ(refused.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(refused.message().find("expands more than 32 times"), std::string::npos)
      << refused.toString();

  feed::SignedUpdate u = signedUpdate(1, 0);
  u.body = zeros;
  u.body_zstd = frame;
  auto back = decode(encode(Updates{{u}}, EncodeOptions{true}));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(std::get<Updates>(*back).updates[0].body, zeros);
  EXPECT_TRUE(std::get<Updates>(*back).updates[0].body_zstd.empty());
}

TEST(BodyFramesTest, HostileFramesAreRefused) {
  const Bytes body = textBody(3000);
  const Bytes frame = frameOf(body);
  auto expectRefused = [](const Bytes& bytes, std::string_view needle) {
    const Status status = decodeStatus(bytes);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << needle;
    EXPECT_NE(status.message().find(needle), std::string::npos) << status.toString();
  };
  expectRefused(updateWithFrame(body), "not one zstd frame");
  Bytes trailing = frame;
  trailing.push_back(0);
  expectRefused(updateWithFrame(trailing), "not one zstd frame");
  Bytes two = frame;
  two.insert(two.end(), frame.begin(), frame.end());
  expectRefused(updateWithFrame(two), "not one zstd frame");
  expectRefused(updateWithFrame(Bytes(frame.begin(), frame.end() - 1)), "not one zstd frame");
  expectRefused(updateWithFrame(frame, body), "body twice");
  expectRefused(updateWithFrame(frame, {}, 2), "do not match the updates");
  expectRefused(updateWithFrame(frameOf(Bytes(feed::kMaxBodyBytes + 1, 0))), "names more than");

  // A frame that does not state its size (a streaming compressor's) is refused: its size could
  // only be learnt by decompressing it.
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ASSERT_NE(context, nullptr);
  ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0);
  Bytes unsized(ZSTD_compressBound(body.size()));
  const size_t size =
      ZSTD_compress2(context, unsized.data(), unsized.size(), body.data(), body.size());
  ZSTD_freeCCtx(context);
  ASSERT_FALSE(ZSTD_isError(size));
  unsized.resize(size);
  expectRefused(updateWithFrame(unsized), "does not name its size");

  // A frame whose content is damaged but whose size field is intact.
  Bytes damaged = frame;
  damaged[damaged.size() / 2] ^= 0xFF;
  damaged[damaged.size() / 2 + 1] ^= 0xFF;
  const Status status = decodeStatus(updateWithFrame(damaged));
  if (status.ok()) {
    // zstd without a checksum may decode damage to other bytes of the same size: the body's
    // hash, checked by verifyUpdate, then refuses it. It must never be the body as signed.
    EXPECT_NE(std::get<Updates>(*decode(updateWithFrame(damaged))).updates[0].body, body);
  } else {
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  }
}

// A bodies message whose one item carries frame in bodyFrame (and body, when not empty).
Bytes bodyItemWithFrame(const Bytes& frame, const Bytes& body = {}) {
  capnp::MallocMessageBuilder builder;
  auto item = builder.initRoot<schema::Message>().initBodies().initItems(1)[0];
  const Bytes author(32, 7);
  item.setAuthor(kj::arrayPtr(author.data(), author.size()));
  item.setSeq(1);
  if (!body.empty()) item.setBody(kj::arrayPtr(body.data(), body.size()));
  item.setBodyFrame(kj::arrayPtr(frame.data(), frame.size()));
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  return Bytes(words.asBytes().begin(), words.asBytes().end());
}

// Fetched bodies (selective sync) go as frames too, under the same rule as updates.
TEST(BodyFramesTest, BodiesGoAsFramesOnlyWhenAskedAndDecodeToTheBodies) {
  Bodies bodies;
  BodyItem framed{{PublicKey{1}, 1}, textBody(3000), {}};
  framed.body_zstd = frameOf(framed.body);
  BodyItem raw{{PublicKey{1}, 2}, textBody(500, 2), {}};
  BodyItem not_held{{PublicKey{1}, 3}, {}, framed.body_zstd};  // a stale frame: never sent
  bodies.items = {framed, raw, not_held};

  const Bytes plain = encode(bodies);
  const Bytes with_frames = encode(bodies, EncodeOptions{true});
  EXPECT_LT(with_frames.size() + 2000, plain.size());
  for (const Bytes* bytes : {&plain, &with_frames}) {
    auto back = decode(*bytes);
    ASSERT_TRUE(back.ok()) << back.status().toString();
    const auto& got = std::get<Bodies>(*back).items;
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].ref, framed.ref);
    EXPECT_EQ(got[0].body, framed.body);
    EXPECT_EQ(got[0].body_zstd, bytes == &with_frames ? framed.body_zstd : Bytes{});
    EXPECT_EQ(got[1].body, raw.body);
    EXPECT_TRUE(got[1].body_zstd.empty());
    EXPECT_TRUE(got[2].body.empty());
    EXPECT_TRUE(got[2].body_zstd.empty());
  }
}

// What frames decompress to counts against the bodies message's limit, as raw bodies do; a frame
// past the expansion bound or beside its body, or not a frame, is refused.
TEST(BodyFramesTest, BodyFramesDecompressWithinTheBodiesLimitAndHostileOnesAreRefused) {
  auto withItems = [&](size_t count) {
    Bodies bodies;
    for (size_t i = 0; i < count; ++i) {
      BodyItem item{
          {PublicKey{1}, i + 1}, textBody(feed::kMaxBodyBytes, static_cast<uint32_t>(i)), {}};
      item.body_zstd = frameOf(item.body);
      bodies.items.push_back(std::move(item));
    }
    return encode(bodies, EncodeOptions{true});
  };
  const size_t fits = kMaxBodiesBytes / feed::kMaxBodyBytes;
  const Bytes within = withItems(fits);
  EXPECT_LT(within.size(), kMaxBodiesBytes / 2);  // sent as frames
  EXPECT_TRUE(decodeStatus(within).ok()) << decodeStatus(within).toString();
  const Status over = decodeStatus(withItems(fits + 1));
  EXPECT_EQ(over.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(over.message().find("bodies larger than"), std::string::npos) << over.toString();

  auto expectRefused = [](const Bytes& bytes, std::string_view needle) {
    const Status status = decodeStatus(bytes);
    EXPECT_EQ(status.code(), Status::Code::kInvalidArgument) << needle;
    EXPECT_NE(status.message().find(needle), std::string::npos) << status.toString();
  };
  const Bytes body = textBody(3000);
  expectRefused(bodyItemWithFrame(frameOf(Bytes(feed::kMaxBodyBytes, 0))), "expands more than");
  expectRefused(bodyItemWithFrame(frameOf(body), body), "body item holds its body twice");
  expectRefused(bodyItemWithFrame(body), "not one zstd frame");
  expectRefused(bodyItemWithFrame(frameOf(Bytes(feed::kMaxBodyBytes + 1, 'x'))), "names more than");
}

TEST(BodyFramesTest, HelloSaysWhetherItsSenderReadsFrames) {
  Hello hello;
  hello.protocol_version = protocolVersion();
  hello.network = "test-net";
  for (bool reads : {false, true}) {
    hello.zstd_bodies = reads;
    auto back = decode(encode(hello));
    ASSERT_TRUE(back.ok()) << back.status().toString();
    EXPECT_EQ(std::get<Hello>(*back).zstd_bodies, reads);
  }
}

}  // namespace
}  // namespace eichub::wire
