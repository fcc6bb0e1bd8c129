// The fetch control command: refs round-trip, malformed commands are answered by a Status.
#include "node/daemon/fetch_command.h"

#include <gtest/gtest.h>

namespace eichub::daemon {
namespace {

TEST(FetchCommandTest, RoundTripsAndRefusesMalformedOnes) {
  PublicKey author{};
  author[0] = 0xAB;
  std::vector<wire::BodyRef> refs = {{author, 1}, {author, UINT64_MAX}};
  auto parsed = parseFetchCommand(fetchCommand(refs));
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(*parsed, refs);

  const std::string hex = toHex(author);
  for (const std::string& bad :
       {std::string("fetch"), "notify " + hex + " 1", "fetch " + hex, "fetch " + hex + " 0",
        "fetch " + hex + " 1x", "fetch " + hex + " 18446744073709551616",
        std::string("fetch abc 1"), "fetch " + hex.substr(2) + " 1"}) {
    EXPECT_EQ(parseFetchCommand(bad).status().code(), Status::Code::kInvalidArgument) << bad;
  }
  std::vector<wire::BodyRef> at_limit(kMaxFetchRefsPerCommand, {author, 5});
  EXPECT_TRUE(parseFetchCommand(fetchCommand(at_limit)).ok());
  at_limit.push_back({author, 6});
  EXPECT_EQ(parseFetchCommand(fetchCommand(at_limit)).status().message(), "fetch: too many refs");
}

}  // namespace
}  // namespace eichub::daemon
