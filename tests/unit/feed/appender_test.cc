// FeedPreparer and FeedAppender: updates prepared ahead of the chain are signed over the same
// bytes as updates encoded with their prev, and chain like them.
#include "federation/feed/appender.h"

#include <gtest/gtest.h>

#include "federation/crypto/sha256.h"
#include "federation/feed/verify.h"
#include "tests/testing/kind_codes.h"

namespace eichub::feed {
namespace {

constexpr char kNet[] = "test-net";

class AppenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::SigningKey::generate();
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<crypto::SigningKey>(std::move(key).value());
  }
  std::unique_ptr<crypto::SigningKey> key_;
};

// The i-th of a mix of upserts, deletes and erases, with tags and ids of different lengths.
HeaderFields fieldsAt(int i, Bytes& body) {
  HeaderFields f;
  f.kind = static_cast<KindCode>(i * 7919 % 65536);  // opaque: any number
  f.id = "r/" + std::string(static_cast<size_t>(i % 13), 'x') + std::to_string(i);
  for (int t = 0; t < i % 5; ++t) f.tags.push_back("tag:" + std::to_string(t * i));
  body.clear();
  if (i % 4 == 3) {
    f.op = Op::DELETE;
  } else if (i % 4 == 2 && i > 2) {
    f.op = Op::ERASE;
    f.erases = {1, 2};
  } else {
    f.op = Op::UPSERT;
    body.assign(static_cast<size_t>(10 + i), static_cast<uint8_t>(i));
    f.body_hash = crypto::sha256(body);
    f.body_size = static_cast<uint32_t>(body.size());
  }
  return f;
}

// Prepared first, signed after, as the publisher does: the signed bytes, signatures and hashes
// are those of headers encoded with their prev and signed one by one (Ed25519 is deterministic).
TEST_F(AppenderTest, PreparedUpdatesSignWhatTheEncodingWithPrevSigns) {
  constexpr int kUpdates = 40;
  const Head head{};
  FeedPreparer preparer(key_->publicKey(), kNet, head);
  std::vector<PreparedUpdate> prepared;
  std::vector<HeaderFields> expected_fields;
  for (int i = 0; i < kUpdates; ++i) {
    Bytes body;
    HeaderFields f = fieldsAt(i, body);
    expected_fields.push_back(f);
    prepared.push_back(preparer.prepare(std::move(f), std::move(body), 1000 + i));
  }
  FeedAppender appender(*key_, kNet, head);
  Head expected_head = head;
  for (int i = 0; i < kUpdates; ++i) {
    VerifiedUpdate update = appender.append(std::move(prepared[static_cast<size_t>(i)]));
    HeaderFields& f = expected_fields[static_cast<size_t>(i)];
    f.network = kNet;
    f.author = key_->publicKey();
    f.seq = expected_head.seq + 1;
    f.prev = expected_head.hash;
    f.time_ms = 1000 + i;
    const Bytes header = encodeHeader(f);
    const Bytes signature = key_->sign(header);
    ASSERT_EQ(update.signed_update.header, header) << "seq " << f.seq;
    EXPECT_EQ(update.signed_update.signature, signature);
    EXPECT_EQ(update.hash, signedHeaderHash(header, signature));
    auto verified = verifyUpdate(update.signed_update, kNet);
    ASSERT_TRUE(verified.ok()) << verified.status().toString();
    EXPECT_TRUE(checkLink(expected_head, verified->fields).ok());
    EXPECT_EQ(verified->fields.prev, update.fields.prev);
    expected_head = headAfter(update);
  }
  EXPECT_EQ(appender.head().seq, uint64_t{kUpdates});
  EXPECT_EQ(appender.head().hash, expected_head.hash);
}

// A preparer continues from the head it is given, and never lets time go back: not before the
// head's time, nor before the updates it prepared already.
TEST_F(AppenderTest, PreparerContinuesTheFeedAndKeepsTimeMonotonic) {
  FeedAppender appender(*key_, kNet, Head{});
  VerifiedUpdate first = appender.append(Op::DELETE, testing::kProviderKind, "p", {}, {}, 5000);
  FeedPreparer preparer(key_->publicKey(), kNet, headAfter(first));
  HeaderFields f;
  f.op = Op::DELETE;
  f.kind = testing::kProviderKind;
  f.id = "q";
  PreparedUpdate second = preparer.prepare(f, {}, 1000);
  PreparedUpdate third = preparer.prepare(f, {}, 7000);
  PreparedUpdate fourth = preparer.prepare(f, {}, 6000);
  EXPECT_EQ(second.fields.seq, 2u);
  EXPECT_EQ(second.fields.time_ms, 5000);
  EXPECT_EQ(third.fields.time_ms, 7000);
  EXPECT_EQ(fourth.fields.time_ms, 7000);
  Head chain = headAfter(first);
  for (PreparedUpdate* p : {&second, &third, &fourth}) {
    VerifiedUpdate update = appender.append(std::move(*p));
    auto verified = verifyUpdate(update.signed_update, kNet);
    ASSERT_TRUE(verified.ok()) << verified.status().toString();
    ASSERT_TRUE(checkLink(chain, verified->fields).ok());
    chain = headAfter(update);
  }
  EXPECT_EQ(chain.seq, 4u);
}

// An update prepared for another place in the feed, or another feed, is never signed.
TEST_F(AppenderTest, AnUpdateThatDoesNotFollowTheHeadIsNotSigned) {
  HeaderFields f;
  f.op = Op::DELETE;
  f.kind = testing::kProviderKind;
  f.id = "p";
  FeedPreparer preparer(key_->publicKey(), kNet, Head{});
  PreparedUpdate first = preparer.prepare(f, {}, 1000);
  PreparedUpdate second = preparer.prepare(f, {}, 1000);
  FeedAppender appender(*key_, kNet, Head{});
  EXPECT_DEATH((void)appender.append(std::move(second)), "does not follow this feed's head");
  FeedAppender other_network(*key_, "other-net", Head{});
  EXPECT_DEATH((void)other_network.append(std::move(first)), "does not follow this feed's head");
}

}  // namespace
}  // namespace eichub::feed
