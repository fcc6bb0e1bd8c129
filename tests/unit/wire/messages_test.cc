// Tests for the sync message codec: round trips, every limit at N and N+1, and hostile input
// (truncation, random bytes, pointer loops, traversal amplification) answered with a Status.
#include "federation/wire/messages.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <random>

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include "schemas/federation.capnp.h"
#include "tests/unit/wire/crafted_messages.h"

namespace eichub::wire {
namespace {

using crafted::craftAmplifiedUpdates;
using crafted::craftFarPointerLoop;
using crafted::craftSelfPointer;
using crafted::craftZeroSizeElements;
using crafted::sampleMessages;
using crafted::signedUpdate;

HeadInfo head(uint8_t tag, uint64_t seq) {
  HeadInfo h;
  h.author.fill(tag);
  h.seq = seq;
  h.hash.fill(static_cast<uint8_t>(tag + 1));
  return h;
}

Hello helloWithHeads(size_t count) {
  Hello hello;
  hello.protocol_version = protocolVersion();
  hello.network = "test-net";
  hello.node_id.fill(7);
  hello.heads.resize(count);
  for (size_t i = 0; i < count; ++i) hello.heads[i] = head(static_cast<uint8_t>(i), i + 1);
  return hello;
}

Status decodeStatus(const Bytes& bytes) { return decode(bytes).status(); }

void expectInvalid(const Bytes& bytes, std::string_view needle) {
  auto result = decode(bytes);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(result.status().message().find(needle), std::string::npos)
      << result.status().toString();
}

// Fixed-size fields are built with the capnp builder directly, since our value types cannot
// hold a wrong length.
// first_segment_words small makes a multi-segment message with far pointers.
Bytes rawMessage(const std::function<void(schema::Message::Builder)>& fill,
                 unsigned first_segment_words = capnp::SUGGESTED_FIRST_SEGMENT_WORDS) {
  capnp::MallocMessageBuilder builder(first_segment_words);
  fill(builder.initRoot<schema::Message>());
  kj::Array<capnp::word> words = capnp::messageToFlatArray(builder);
  return Bytes(words.asBytes().begin(), words.asBytes().end());
}

// ---- round trips ----

TEST(MessagesTest, HelloRoundTrips) {
  Hello hello = helloWithHeads(3);
  auto back = decode(encode(hello));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  const auto& got = std::get<Hello>(*back);
  EXPECT_EQ(got.protocol_version, protocolVersion());
  EXPECT_EQ(got.network, "test-net");
  EXPECT_EQ(got.node_id, hello.node_id);
  EXPECT_EQ(got.heads, hello.heads);
  EXPECT_STREQ(messageName(*back), "hello");
}

TEST(MessagesTest, WantRoundTrips) {
  Want want{head(3, 0).author, 42, 100};
  auto back = decode(encode(want));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  const auto& got = std::get<Want>(*back);
  EXPECT_EQ(got.author, want.author);
  EXPECT_EQ(got.from_seq, 42u);
  EXPECT_EQ(got.credit, 100u);
  EXPECT_STREQ(messageName(*back), "want");
}

// Issue 17, finding 4: what a client holds and a server's byte budget travel in fields added
// at the end; a peer of an older build, which never sets them, reads as 0 ("not stated").
TEST(MessagesTest, HeldSeqAndServeBudgetRoundTripAndReadAsZeroFromOlderPeers) {
  Want want{head(3, 0).author, 42, 100, false, /*held_seq=*/41};
  auto back = decode(encode(want));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(std::get<Want>(*back).held_seq, 41u);
  Hello hello = helloWithHeads(1);
  hello.serve_budget_bytes = 16 << 20;
  auto hello_back = decode(encode(hello));
  ASSERT_TRUE(hello_back.ok()) << hello_back.status().toString();
  EXPECT_EQ(std::get<Hello>(*hello_back).serve_budget_bytes, uint64_t{16} << 20);

  const PublicKey author = head(3, 0).author;
  auto older_want = decode(rawMessage([&](schema::Message::Builder root) {
    auto out = root.initWant();
    out.setAuthor(kj::arrayPtr(author.data(), author.size()));
    out.setFromSeq(42);
    out.setCredit(100);
  }));
  ASSERT_TRUE(older_want.ok()) << older_want.status().toString();
  EXPECT_EQ(std::get<Want>(*older_want).held_seq, 0u);
  auto older_hello = decode(rawMessage([&](schema::Message::Builder root) {
    auto out = root.initHello();
    out.setProtocolVersion(protocolVersion());
    out.setNodeId(kj::arrayPtr(author.data(), author.size()));
  }));
  ASSERT_TRUE(older_hello.ok()) << older_hello.status().toString();
  EXPECT_EQ(std::get<Hello>(*older_hello).serve_budget_bytes, 0u);
}

TEST(MessagesTest, UpdatesRoundTrip) {
  Updates updates;
  updates.updates.push_back(signedUpdate(100, 10));
  updates.updates.push_back(signedUpdate(200, 0));  // delete: no body
  updates.updates.push_back(signedUpdate(300, feed::kMaxBodyBytes));
  Bytes bytes = encode(updates);
  uint32_t segments_minus_one = 1;
  std::memcpy(&segments_minus_one, bytes.data(), 4);
  EXPECT_EQ(segments_minus_one, 0u) << "the encoder sizes its first segment to fit";
  auto back = decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().toString();
  const auto& got = std::get<Updates>(*back);
  ASSERT_EQ(got.updates.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got.updates[i].header, updates.updates[i].header);
    EXPECT_EQ(got.updates[i].signature, updates.updates[i].signature);
    EXPECT_EQ(got.updates[i].body, updates.updates[i].body);
  }
  EXPECT_STREQ(messageName(*back), "updates");
}

TEST(MessagesTest, HaveForkAndByeRoundTrip) {
  auto have = decode(encode(Have{head(9, 77)}));
  ASSERT_TRUE(have.ok()) << have.status().toString();
  EXPECT_EQ(std::get<Have>(*have).head, head(9, 77));
  EXPECT_STREQ(messageName(*have), "have");

  ForkProof fork{signedUpdate(50, 0), signedUpdate(51, 0)};
  auto back = decode(encode(fork));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  const auto& got = std::get<ForkProof>(*back);
  EXPECT_EQ(got.first.header, fork.first.header);
  EXPECT_EQ(got.first.signature, fork.first.signature);
  EXPECT_EQ(got.second.header, fork.second.header);
  EXPECT_TRUE(got.first.body.empty());
  EXPECT_STREQ(messageName(*back), "fork");

  auto bye = decode(encode(Bye{}));
  ASSERT_TRUE(bye.ok()) << bye.status().toString();
  EXPECT_TRUE(std::holds_alternative<Bye>(*bye));
  EXPECT_STREQ(messageName(*bye), "bye");
}

TEST(MessagesTest, MultiSegmentMessageFromAPeerDecodes) {
  // Other encoders may spread a message over segments joined by far pointers.
  Bytes bytes = rawMessage(
      [](schema::Message::Builder m) {
        auto list = m.initUpdates().initUpdates(3);
        for (unsigned i = 0; i < 3; ++i) {
          feed::SignedUpdate u = signedUpdate(i, 4000);
          list[i].initSigned().setHeader({u.header.data(), u.header.size()});
          list[i].getSigned().setSignature({u.signature.data(), u.signature.size()});
          list[i].setBody({u.body.data(), u.body.size()});
        }
      },
      8);
  uint32_t segments_minus_one = 0;
  std::memcpy(&segments_minus_one, bytes.data(), 4);
  ASSERT_GT(segments_minus_one, 0u);
  auto back = decode(bytes);
  ASSERT_TRUE(back.ok()) << back.status().toString();
  ASSERT_EQ(std::get<Updates>(*back).updates.size(), 3u);
  EXPECT_EQ(std::get<Updates>(*back).updates[2].body, signedUpdate(2, 4000).body);
}

TEST(MessagesTest, DecodedMessageOwnsItsBytes) {
  Updates updates;
  updates.updates.push_back(signedUpdate(1, 64));
  Bytes bytes = encode(updates);
  auto back = decode(bytes);
  ASSERT_TRUE(back.ok());
  std::fill(bytes.begin(), bytes.end(), 0xAB);
  bytes.clear();
  bytes.shrink_to_fit();
  EXPECT_EQ(std::get<Updates>(*back).updates[0].body, updates.updates[0].body);
  EXPECT_EQ(std::get<Updates>(*back).updates[0].header, updates.updates[0].header);
}

TEST(MessagesTest, UnalignedInputIsCopiedAndDecoded) {
  Bytes bytes = encode(helloWithHeads(2));
  std::vector<uint8_t> shifted(bytes.size() + 1);
  std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
  auto back = decode(ByteView(shifted.data() + 1, bytes.size()));
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(std::get<Hello>(*back).heads.size(), 2u);
}

// ---- limits at N and N+1 ----

// ---- bodies (selective sync) ----

WantBodies wantBodies(size_t count) {
  WantBodies want;
  for (size_t i = 0; i < count; ++i) want.refs.push_back({head(9, 0).author, i + 1});
  return want;
}

TEST(MessagesTest, WantHeadersOnlyAndBodiesRoundTrip) {
  Want want{head(3, 0).author, 7, 10, true};
  auto back = decode(encode(want));
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(std::get<Want>(*back).headers_only);
  EXPECT_FALSE(std::get<Want>(*decode(encode(Want{want.author, 7, 10}))).headers_only);

  auto refs = decode(encode(wantBodies(3)));
  ASSERT_TRUE(refs.ok()) << refs.status().toString();
  EXPECT_EQ(std::get<WantBodies>(*refs).refs, wantBodies(3).refs);
  EXPECT_STREQ(messageName(*refs), "wantBodies");

  Bodies bodies{{{{head(4, 0).author, 5}, Bytes(100, 0xB0)}, {{head(4, 0).author, 6}, {}}}};
  auto got = decode(encode(bodies));
  ASSERT_TRUE(got.ok()) << got.status().toString();
  const auto& items = std::get<Bodies>(*got).items;
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].ref, bodies.items[0].ref);
  EXPECT_EQ(items[0].body, bodies.items[0].body);
  EXPECT_TRUE(items[1].body.empty());  // "not held"
  EXPECT_STREQ(messageName(*got), "bodies");
}

TEST(MessagesTest, BodyRefsLimit) {
  EXPECT_TRUE(decodeStatus(encode(wantBodies(kMaxBodyRefs))).ok());
  expectInvalid(encode(wantBodies(kMaxBodyRefs + 1)), "wantBodies of more than");
  expectInvalid(encode(wantBodies(0)), "names no body");
  Bodies bodies;
  for (const BodyRef& ref : wantBodies(kMaxBodyRefs).refs) bodies.items.push_back({ref, Bytes{1}});
  EXPECT_TRUE(decodeStatus(encode(bodies)).ok());
  bodies.items.push_back({{}, Bytes{1}});
  expectInvalid(encode(bodies), "bodies of more than");
  expectInvalid(encode(Bodies{}), "holds no body");
}

TEST(MessagesTest, BodiesBytesAndBodySizeLimits) {
  Bodies bodies;
  size_t total = 0;
  for (uint64_t seq = 1; total < kMaxBodiesBytes; ++seq) {
    const size_t size = std::min(feed::kMaxBodyBytes, kMaxBodiesBytes - total);
    bodies.items.push_back({{head(1, 0).author, seq}, Bytes(size, 0x5A)});
    total += size;
  }
  EXPECT_TRUE(decodeStatus(encode(bodies)).ok());
  bodies.items.push_back({{head(1, 0).author, 999}, Bytes{0x5A}});
  expectInvalid(encode(bodies), "bodies larger than");
  Bodies one{{{{head(1, 0).author, 1}, Bytes(feed::kMaxBodyBytes + 1, 0)}}};
  expectInvalid(encode(one), "body longer than");
}

TEST(MessagesTest, BodyRefAuthorsMustBe32Bytes) {
  const Bytes k31(31, 1);
  auto data = [](const Bytes& b) { return capnp::Data::Reader(b.data(), b.size()); };
  expectInvalid(rawMessage([&](auto m) { m.initWantBodies().initRefs(1)[0].setAuthor(data(k31)); }),
                "body author");
  expectInvalid(rawMessage([&](auto m) { m.initBodies().initItems(1)[0].setAuthor(data(k31)); }),
                "body author");
}

TEST(MessagesTest, HelloHeadsLimit) {
  EXPECT_TRUE(decodeStatus(encode(helloWithHeads(kMaxHelloHeads))).ok());
  expectInvalid(encode(helloWithHeads(kMaxHelloHeads + 1)), "heads");
}

TEST(MessagesTest, BatchCountLimit) {
  Updates updates;
  updates.updates.assign(kMaxBatchUpdates, signedUpdate(1, 8));
  EXPECT_TRUE(decodeStatus(encode(updates)).ok());
  updates.updates.push_back(signedUpdate(1, 8));
  expectInvalid(encode(updates), "batch of more than");
}

TEST(MessagesTest, BatchBytesLimit) {
  // Bodies of the largest allowed size, the last one trimmed so the total is exactly the limit.
  Updates updates;
  size_t total = 0;
  while (total < kMaxBatchBytes) {
    feed::SignedUpdate u = signedUpdate(updates.updates.size(), 0);
    const size_t fixed = u.header.size() + u.signature.size();
    u.body.assign(std::min(feed::kMaxBodyBytes, kMaxBatchBytes - total - fixed), 0x5A);
    total += fixed + u.body.size();
    updates.updates.push_back(std::move(u));
  }
  ASSERT_EQ(total, kMaxBatchBytes);
  EXPECT_TRUE(decodeStatus(encode(updates)).ok()) << decodeStatus(encode(updates)).toString();
  updates.updates.back().body.push_back(0x5A);
  expectInvalid(encode(updates), "batch larger than");
}

TEST(MessagesTest, HeaderAndBodySizeLimits) {
  Updates updates;
  updates.updates.push_back(signedUpdate(1, feed::kMaxBodyBytes));
  updates.updates[0].header.assign(feed::kMaxHeaderBytes, 1);
  EXPECT_TRUE(decodeStatus(encode(updates)).ok());

  Updates big_header = updates;
  big_header.updates[0].header.push_back(1);
  expectInvalid(encode(big_header), "header longer than");

  Updates big_body = updates;
  big_body.updates[0].body.push_back(1);
  expectInvalid(encode(big_body), "body longer than");

  Updates empty_header = updates;
  empty_header.updates[0].header.clear();
  expectInvalid(encode(empty_header), "empty header");
}

TEST(MessagesTest, NetworkLimit) {
  Hello hello = helloWithHeads(0);
  hello.network.assign(feed::kMaxNetworkBytes, 'n');
  EXPECT_TRUE(decodeStatus(encode(hello)).ok());
  hello.network.push_back('n');
  expectInvalid(encode(hello), "network longer than");
}

TEST(MessagesTest, MessageSizeLimit) {
  // A buffer of exactly the limit passes the size check (and fails later, as garbage);
  // one byte more is refused before anything is copied.
  Bytes at_limit(kMaxMessageBytes, 0);
  auto result = decode(at_limit);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message().find("larger than"), std::string::npos);
  expectInvalid(Bytes(kMaxMessageBytes + 1, 0), "message larger than");
}

TEST(MessagesTest, FixedSizeFieldsMustBeExact) {
  const Bytes k31(31, 1), k33(33, 1), k32(32, 1), sig63(63, 1);
  auto data = [](const Bytes& b) { return capnp::Data::Reader(b.data(), b.size()); };
  expectInvalid(rawMessage([&](auto m) { m.initWant().setAuthor(data(k31)); }), "want author");
  expectInvalid(rawMessage([&](auto m) {
                  auto w = m.initWant();
                  w.setAuthor(data(k32));
                  w.setCredit(0);
                }),
                "zero credit");
  expectInvalid(rawMessage([&](auto m) {
                  auto h = m.initHave();
                  h.setAuthor(data(k32));
                  h.setHash(data(k33));
                }),
                "head hash");
  expectInvalid(rawMessage([&](auto m) { m.initHello().setNodeId(data(k33)); }), "node id");
  expectInvalid(rawMessage([&](auto m) {
                  auto f = m.initFork();
                  f.initFirst().setHeader(data(k32));
                  f.getFirst().setSignature(data(sig63));
                }),
                "signature");
  // A default (null) root is a hello with empty fields: rejected by the field checks.
  expectInvalid(rawMessage([](auto) {}), "node id");
}

TEST(MessagesTest, UnknownUnionMemberIsRejected) {
  Bytes bytes = encode(Bye{});
  // Layout: segment table (1 word), root pointer, then the Message data word whose first
  // 16 bits are the union discriminant.
  bytes[16] = 0x40;
  expectInvalid(bytes, "unknown message");
}

TEST(MessagesTest, SegmentCountOverflowIsRejected) {
  Bytes bytes = encode(Bye{});
  std::memset(bytes.data(), 0xFF, 4);  // 0xFFFFFFFF + 1 segments
  expectInvalid(bytes, "segments");
}

TEST(MessagesTest, TrailingBytesAreRejected) {
  Bytes bytes = encode(Bye{});
  const Bytes zero_word(8, 0);
  bytes.insert(bytes.end(), zero_word.begin(), zero_word.end());
  expectInvalid(bytes, "trailing bytes");
}

// ---- hostile input ----

TEST(MessagesTest, EveryTruncationIsAnError) {
  Updates updates;
  updates.updates.push_back(signedUpdate(1, 40));
  updates.updates.push_back(signedUpdate(2, 0));
  for (const Bytes& full : {encode(updates), encode(helloWithHeads(3))}) {
    for (size_t length = 0; length < full.size(); ++length) {
      auto result = decode(ByteView(full.data(), length));
      EXPECT_FALSE(result.ok()) << "length " << length << " of " << full.size();
    }
  }
}

TEST(MessagesTest, RandomBytesNeverCrash) {
  std::mt19937_64 rng(20261126);
  size_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    Bytes bytes(8 * (rng() % 64) + (i % 10 == 0 ? rng() % 8 : 0));
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    if (i % 2 == 0 && bytes.size() >= 8) {
      // A plausible one-segment table, so the reader gets past framing into the pointers.
      const uint32_t count = 0;
      const auto words = static_cast<uint32_t>(bytes.size() / 8 - 1);
      std::memcpy(bytes.data(), &count, 4);
      std::memcpy(bytes.data() + 4, &words, 4);
    }
    if (decode(bytes).ok()) ++accepted;
  }
  // Mutations of valid messages reach deeper than pure noise.
  const std::vector<Bytes> seeds = {encode(helloWithHeads(4)), encode(Want{{}, 1, 1}),
                                    encode(Updates{{signedUpdate(1, 30)}})};
  for (int i = 0; i < 3000; ++i) {
    Bytes bytes = seeds[static_cast<size_t>(i) % seeds.size()];
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
      bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    if (decode(bytes).ok()) ++accepted;
  }
  RecordProperty("accepted", static_cast<int>(accepted));
  SUCCEED() << accepted << " of 6000 random inputs decoded";
}

TEST(MessagesTest, SelfPointerLoopIsRejected) { expectInvalid(craftSelfPointer(), "malformed"); }

TEST(MessagesTest, FarPointerLoopIsRejected) { expectInvalid(craftFarPointerLoop(), "malformed"); }

TEST(MessagesTest, SharedPointerAmplificationHitsTraversalLimit) {
  // One update pointing at the shared header and body is a valid message (the control).
  auto once = decode(craftAmplifiedUpdates(1, 64 * 1024));
  ASSERT_TRUE(once.ok()) << once.status().toString();
  EXPECT_EQ(std::get<Updates>(*once).updates[0].body.size(), 64u * 1024);
  // Eight list elements sharing one 64 KiB body: 8x the wire size to traverse, far below every
  // byte limit (512 KiB < kMaxBatchBytes), so only the traversal limit can stop it.
  expectInvalid(craftAmplifiedUpdates(8, 64 * 1024), "traversal limit");
}

TEST(MessagesTest, ZeroSizeElementListHitsTraversalLimit) {
  // 2^28 zero-size structs in a few words: each counts as one word of traversal.
  expectInvalid(craftZeroSizeElements(1u << 28), "traversal limit");
}

}  // namespace
}  // namespace eichub::wire
