// Tests of the request head scan: each limit at its value and one over, and a scan that resumes
// over a growing buffer.
#include "node/http/request_head.h"

#include <gtest/gtest.h>

namespace eichub::http {
namespace {

RequestHead scan(const std::string& bytes, const HttpLimits& limits = {}) {
  HeadScan state;
  return scanHead(bytes, limits, state);
}

std::string headWithHeaders(size_t count) {
  std::string head = "GET /api/v1/status?x=1 HTTP/1.1\r\n";
  for (size_t i = 0; i < count; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
  return head + "\r\n";
}

TEST(RequestHeadTest, ACompleteHeadGivesMethodPathAndItsLength) {
  const std::string head =
      "POST /api/v1/align?limit=3 HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n";
  RequestHead found = scan(head + "body follows");
  ASSERT_EQ(found.state, HeadState::kComplete);
  EXPECT_EQ(found.bytes, head.size());
  EXPECT_EQ(found.method, "POST");
  EXPECT_EQ(found.path, "/api/v1/align");
  ASSERT_TRUE(found.content_length.has_value());
  EXPECT_EQ(*found.content_length, 12u);
  EXPECT_TRUE(found.has_body_framing);
  EXPECT_EQ(scan("GET / HTTP/1.1\r\nHost: h\r\n").state, HeadState::kIncomplete);
}

TEST(RequestHeadTest, HeaderCountAtTheLimitPassesAndOneMoreIsRefused) {
  EXPECT_EQ(scan(headWithHeaders(kMaxHeaderCount)).state, HeadState::kComplete);
  RequestHead over = scan(headWithHeaders(kMaxHeaderCount + 1));
  ASSERT_EQ(over.state, HeadState::kRefused);
  EXPECT_EQ(over.status, 431);
  EXPECT_EQ(over.code, "too_many_headers");
  EXPECT_NE(over.message.find("100 header fields"), std::string::npos) << over.message;
}

TEST(RequestHeadTest, FourHundredThousandHeadersAreRefusedBeforeTheHeadEnds) {
  std::string flood = "GET / HTTP/1.1\r\n";
  for (size_t i = 0; i < 400'000; ++i) flood += "X: 1\r\n";
  HttpLimits big_head;
  big_head.max_head_bytes = flood.size() * 2;  // only the count can stop it
  RequestHead found = scan(flood, big_head);
  ASSERT_EQ(found.state, HeadState::kRefused);
  EXPECT_EQ(found.code, "too_many_headers");
  EXPECT_EQ(scan(flood).code, "too_many_headers");  // the count is reached before the size
}

TEST(RequestHeadTest, HeadBytesAtTheLimitPassAndOneMoreIsRefused) {
  HttpLimits limits;
  const std::string start = "GET / HTTP/1.1\r\nX-Pad: ";
  const std::string end = "\r\n\r\n";
  const std::string at_limit =
      start + std::string(limits.max_head_bytes - start.size() - end.size(), 'a') + end;
  ASSERT_EQ(at_limit.size(), limits.max_head_bytes);
  EXPECT_EQ(scan(at_limit).state, HeadState::kComplete);
  const std::string over =
      start + std::string(limits.max_head_bytes - start.size() - end.size() + 1, 'a') + end;
  RequestHead refused = scan(over);
  ASSERT_EQ(refused.state, HeadState::kRefused);
  EXPECT_EQ(refused.status, 431);
  EXPECT_EQ(refused.code, "header_too_large");
  EXPECT_NE(refused.message.find("32768 bytes"), std::string::npos) << refused.message;
  // A head that never ends is refused once it is over the limit, without its end.
  EXPECT_EQ(scan(over.substr(0, limits.max_head_bytes + 1)).code, "header_too_large");
}

TEST(RequestHeadTest, RequestLineAtTheLimitPassesAndOneMoreIsRefused) {
  HttpLimits limits;
  const std::string start = "GET /", end = " HTTP/1.1\r\n";
  const std::string line =
      start + std::string(limits.max_request_line_bytes - start.size() - end.size(), 'a') + end;
  ASSERT_EQ(line.size(), limits.max_request_line_bytes);
  EXPECT_EQ(scan(line + "\r\n").state, HeadState::kComplete);
  const std::string longer =
      start + std::string(limits.max_request_line_bytes - start.size() - end.size() + 1, 'a') + end;
  RequestHead refused = scan(longer + "\r\n");
  ASSERT_EQ(refused.state, HeadState::kRefused);
  EXPECT_EQ(refused.status, 414);
  EXPECT_EQ(refused.code, "uri_too_long");
  // Refused before its end arrives, too.
  EXPECT_EQ(scan(longer.substr(0, limits.max_request_line_bytes + 1)).code, "uri_too_long");
}

TEST(RequestHeadTest, AScanResumedByteByByteFindsWhatOneScanFinds) {
  const std::string head = headWithHeaders(20);
  HeadScan state;
  std::string buffer;
  RequestHead found;
  for (char c : head) {
    buffer += c;
    found = scanHead(buffer, HttpLimits{}, state);
    if (buffer.size() < head.size()) {
      ASSERT_EQ(found.state, HeadState::kIncomplete) << buffer.size();
    }
  }
  ASSERT_EQ(found.state, HeadState::kComplete);
  EXPECT_EQ(found.bytes, head.size());
  EXPECT_EQ(found.path, "/api/v1/status");
  EXPECT_FALSE(found.has_body_framing);
}

}  // namespace
}  // namespace eichub::http
