// Tests for Status and Result.
#include "federation/common/status.h"

#include <gtest/gtest.h>

#include "federation/common/result.h"

namespace eichub {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd", std::to_string(v));
  return v / 2;
}

Status quarter(int v, int& out) {
  EICHUB_ASSIGN_OR_RETURN(int h, half(v));
  EICHUB_ASSIGN_OR_RETURN(out, half(h));
  return Status::OK();
}

TEST(StatusTest, ToStringNamesCodeAndDetail) {
  EXPECT_EQ(Status::OK().toString(), "OK");
  Status s = Status::NotFound("no record", "acme/1");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.isNotFound());
  EXPECT_EQ(s.toString(), "NotFound: no record: acme/1");
  EXPECT_EQ(s.withContext("line 3").message(), "line 3: no record: acme/1");
}

TEST(StatusTest, ResultPropagatesErrors) {
  int out = 0;
  EXPECT_TRUE(quarter(8, out).ok());
  EXPECT_EQ(out, 2);
  Status s = quarter(6, out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "odd: 3");
}

TEST(StatusDeathTest, ValueOnErrorAborts) {
  Result<int> r = Status::IOError("disk");
  EXPECT_DEATH((void)r.value(), "value\\(\\) on error");
}

}  // namespace
}  // namespace eichub
