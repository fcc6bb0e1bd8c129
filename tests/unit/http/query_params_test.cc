// Query parameters from untrusted requests: bounds at the limit and one past it.
#include "node/http/query_params.h"

#include <gtest/gtest.h>

namespace eichub::http {
namespace {

httplib::Request requestWith(const std::string& name, const std::string& value) {
  httplib::Request req;
  req.params.emplace(name, value);
  return req;
}

TEST(QueryParamsTest, TextIsBoundedAndUtf8) {
  httplib::Request none;
  EXPECT_EQ(textParam(none, "q").value(), "");
  EXPECT_EQ(textParam(requestWith("q", std::string(kMaxParamBytes, 'a')), "q").value().size(),
            kMaxParamBytes);
  auto over = textParam(requestWith("q", std::string(kMaxParamBytes + 1, 'a')), "q");
  EXPECT_EQ(over.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(over.status().message().find("q is longer"), std::string::npos);
  EXPECT_EQ(textParam(requestWith("q", "abc"), "q", 2).status().code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(textParam(requestWith("q", "\xff\xfe"), "q").status().code(),
            Status::Code::kInvalidArgument);
}

TEST(QueryParamsTest, IntegersAreDecimalAndInRange) {
  httplib::Request none;
  EXPECT_EQ(uintParam(none, "limit", 1, 100, 10).value(), 10u);
  EXPECT_EQ(uintParam(requestWith("limit", "100"), "limit", 1, 100, 10).value(), 100u);
  EXPECT_EQ(uintParam(requestWith("limit", "1"), "limit", 1, 100, 10).value(), 1u);
  for (const char* bad : {"101", "0", "", "-1", "1e2", "12abc", " 5", "99999999999999999999"}) {
    auto parsed = uintParam(requestWith("limit", bad), "limit", 1, 100, 10);
    EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument) << bad;
    EXPECT_NE(parsed.status().message().find("limit must be an integer from 1 to 100"),
              std::string::npos)
        << bad;
  }
}

}  // namespace
}  // namespace eichub::http
