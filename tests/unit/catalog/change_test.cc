// Change and checkBody: what the publisher accepts, every receiver accepts. A record at the body
// limit (256 KiB) passes the receive-side check, which reads the message several times within
// its traversal limit; one word over is refused on both sides.
#include "node/catalog/change.h"

#include <gtest/gtest.h>

namespace eichub::catalog {
namespace {

// A learning resource whose canonical body is body_bytes long (a multiple of 8): descriptions
// of up to kMaxTextBytes in as many languages as it takes.
Result<Change> resourceOfSize(size_t body_bytes) {
  constexpr size_t kDescriptions = 4;
  auto build = [](size_t last_text_bytes) {
    capnp::MallocMessageBuilder message;
    auto r = message.initRoot<schema::Record>().initLearningResource();
    r.setId("big/1");
    auto descriptions = r.initDescription(kDescriptions);
    for (unsigned i = 0; i < kDescriptions; ++i) {
      descriptions[i].setLang(std::string(1, static_cast<char>('a' + i)) + "x");
      const size_t text = i + 1 < kDescriptions ? kMaxTextBytes - 1 : last_text_bytes;
      descriptions[i].setText(std::string(text, 'w'));
    }
    return changeFromRecord(message.getRoot<schema::Record>().asReader());
  };
  // The body grows by one word per 8 bytes of the last text: find the length that lands on it.
  const auto base = build(0);
  if (!base.ok() || base->body.size() > body_bytes) return Status::InvalidArgument("too small");
  // An empty Text already takes a word (its NUL): n bytes and the NUL take ceil((n+1)/8) words.
  return build(body_bytes - base->body.size() + 7);
}

TEST(ChangeTest, ARecordAtTheBodyLimitPassesTheReceiveCheck) {
  auto change = resourceOfSize(feed::kMaxBodyBytes);
  ASSERT_TRUE(change.ok()) << change.status().toString();
  ASSERT_EQ(change->body.size(), feed::kMaxBodyBytes);
  auto checked = checkBody(change->body);
  ASSERT_TRUE(checked.ok()) << checked.status().toString();
  EXPECT_EQ(checked->id, "big/1");
  EXPECT_EQ(checked->body, change->body);
}

TEST(ChangeTest, ARecordOneWordOverTheBodyLimitIsRefusedOnBothSides) {
  auto over = resourceOfSize(feed::kMaxBodyBytes + 8);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("larger than"), std::string::npos)
      << over.status().toString();
  Bytes body(feed::kMaxBodyBytes + 8, 0);
  EXPECT_FALSE(checkBody(body).ok());
}

// Many small structs cost the reader more than one large text of the same size.
TEST(ChangeTest, ASkillWithThousandsOfLabelsNearTheLimitPassesTheReceiveCheck) {
  capnp::MallocMessageBuilder message;
  auto skill = message.initRoot<schema::Record>().initSkill();
  skill.setUri("http://example.org/skill/labels");
  constexpr unsigned kLabels = 3500;
  auto labels = skill.initAltLabels(kLabels);
  for (unsigned i = 0; i < kLabels; ++i) {
    labels[i].setLang("en");
    labels[i].setText("an alternative label number " + std::to_string(100000 + i) + " xx");
  }
  auto change = changeFromRecord(message.getRoot<schema::Record>().asReader());
  ASSERT_TRUE(change.ok()) << change.status().toString();
  ASSERT_GT(change->body.size(), feed::kMaxBodyBytes * 3 / 4);
  auto checked = checkBody(change->body);
  ASSERT_TRUE(checked.ok()) << change->body.size() << " bytes: " << checked.status().toString();
}

}  // namespace
}  // namespace eichub::catalog
