// Resumption tokens: a token resumes its harvest at its position until it expires, its
// harvest is forgotten, or a byte of it changes.
#include "node/http/oai/oai_tokens.h"

#include <gtest/gtest.h>

namespace eichub::http::oai {
namespace {

constexpr int64_t kNow = 1'800'000'000;

Harvest harvestOf(const std::string& verb) {
  Harvest h;
  h.verb = verb;
  h.selection.metadata_prefix = "oai_dc";
  h.selection.set = "kind:Provider";
  h.heads[PublicKey{}] = 42;
  h.complete = 250;
  h.expires = kNow + kTokenLifetimeSeconds;
  return h;
}

TEST(OaiTokensTest, ATokenResumesItsHarvestAtItsPosition) {
  HarvestBook book;
  uint64_t id = book.begin(harvestOf("ListRecords"));
  std::string token = book.token({id, 1234, 100});
  auto resumed = book.resume(token, kNow + 10);
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->first.verb, "ListRecords");
  EXPECT_EQ(resumed->first.selection.set, "kind:Provider");
  EXPECT_EQ(resumed->first.heads.at(PublicKey{}), 42u);
  EXPECT_EQ(resumed->first.complete, 250u);
  EXPECT_EQ(resumed->second.harvest, id);
  EXPECT_EQ(resumed->second.after, 1234u);
  EXPECT_EQ(resumed->second.cursor, 100u);
  // A token may be sent again (a harvester retrying a page).
  EXPECT_TRUE(book.resume(token, kNow + 20));
}

TEST(OaiTokensTest, AnAlteredOrForeignTokenIsRefused) {
  HarvestBook book;
  uint64_t id = book.begin(harvestOf("ListRecords"));
  std::string token = book.token({id, 1234, 100});
  for (size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == '1' ? '2' : '1';
    EXPECT_FALSE(book.resume(altered, kNow)) << altered;
  }
  EXPECT_FALSE(book.resume(token.substr(0, token.size() - 1), kNow));
  EXPECT_FALSE(book.resume("", kNow));
  EXPECT_FALSE(book.resume(std::string(4096, '1'), kNow));
  // Another process (another key) does not take this one's tokens.
  HarvestBook other;
  other.begin(harvestOf("ListRecords"));
  EXPECT_FALSE(other.resume(token, kNow));
}

TEST(OaiTokensTest, ATokenExpires) {
  HarvestBook book;
  uint64_t id = book.begin(harvestOf("ListIdentifiers"));
  std::string token = book.token({id, 1, 100});
  EXPECT_TRUE(book.resume(token, kNow + kTokenLifetimeSeconds));
  EXPECT_FALSE(book.resume(token, kNow + kTokenLifetimeSeconds + 1));
  EXPECT_FALSE(book.resume(token, kNow)) << "an expired harvest is forgotten";
}

TEST(OaiTokensTest, TheOldestHarvestIsForgottenBeyondTheLimit) {
  HarvestBook book;
  uint64_t first = book.begin(harvestOf("ListRecords"));
  std::string token = book.token({first, 1, 100});
  for (size_t i = 0; i < kMaxHarvests - 1; ++i) book.begin(harvestOf("ListRecords"));
  EXPECT_TRUE(book.resume(token, kNow));
  book.begin(harvestOf("ListRecords"));
  EXPECT_FALSE(book.resume(token, kNow));
}

}  // namespace
}  // namespace eichub::http::oai
