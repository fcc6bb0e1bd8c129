// GET /export/elm.xml on a real daemon over real HTTP: streamed (chunked), validates against
// loq.xsd, and answers conditional GETs with 304 until a publish changes the store.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/multinode/http_client.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using testing::NodeProcess;

constexpr char kToken[] = "test-token-0123456789abcdef";

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class ElmHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<NodeProcess>(dir_.file("a"), "Leeds", "UKE42");
    node_->setApiToken(kToken);
    node_->start();
    std::string address = node_->httpAddress();
    ASSERT_FALSE(address.empty()) << "daemon.json has no http address";
    client_ = testing::httpClient(address, 60);
  }
  void publish(const std::string& body) {
    httplib::Headers headers{{"Authorization", std::string("Bearer ") + kToken}};
    auto res = client_->Post("/api/v1/publish", headers, body, "application/x-ndjson");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
  }
  httplib::Result get(const httplib::Headers& headers = {}, const std::string& query = "") {
    auto res = client_->Get("/export/elm.xml" + query, headers);
    EXPECT_TRUE(res) << httplib::to_string(res.error());
    return res;
  }

  testing::TempDir dir_;
  std::unique_ptr<NodeProcess> node_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ElmHttpTest, StreamsAValidExportAndAnswersConditionalGets) {
  std::ifstream sample(testing::testDataDir() + "/sample/leeds.jsonl");
  std::string leeds((std::istreambuf_iterator<char>(sample)), {});
  publish(leeds);
  auto first = get();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  EXPECT_EQ(first->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_EQ(first->get_header_value("Content-Type"), "application/xml; charset=utf-8");
  EXPECT_EQ(count(first->body, "<learningOpportunity id="),
            count(leeds, "\"kind\":\"LearningResource\""));
  std::string etag = first->get_header_value("ETag");
  std::string modified = first->get_header_value("Last-Modified");
  ASSERT_FALSE(etag.empty());
  ASSERT_FALSE(modified.empty());

  std::string schema =
      std::string(EICHUB_SOURCE_DIR) + "/../shared/standards/elm-loq-3.1.0/loq.xsd";
  std::error_code ec;
  if (std::filesystem::exists(schema, ec) && std::filesystem::exists("/usr/bin/xmllint", ec)) {
    std::string file = dir_.file("export.xml");
    std::ofstream(file, std::ios::binary) << first->body;
    auto lint = testing::runProcess({"/usr/bin/xmllint", "--noout", "--schema", schema, file});
    EXPECT_EQ(lint.exit_code, 0) << lint.err.substr(0, 4000);
  }

  auto same = get({{"If-None-Match", etag}});
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 304);
  EXPECT_TRUE(same->body.empty());
  auto not_modified = get({{"If-Modified-Since", modified}});
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304);
  // A filter is another document, with its own tag.
  auto filtered = get({{"If-None-Match", etag}}, "?lang=en");
  ASSERT_TRUE(filtered);
  EXPECT_EQ(filtered->status, 200);
  EXPECT_NE(filtered->get_header_value("ETag"), etag);

  publish(R"({"kind":"LearningResource","id":"leeds/lr/new","title":{"en":"A new course"}})");
  auto changed = get({{"If-None-Match", etag}});
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->status, 200);
  EXPECT_NE(changed->get_header_value("ETag"), etag);
  EXPECT_NE(changed->body.find("A new course"), std::string::npos);
  auto newer = get({{"If-Modified-Since", modified}});
  ASSERT_TRUE(newer);
  EXPECT_EQ(newer->status, 200);
  auto again = get({{"If-None-Match", changed->get_header_value("ETag")}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
}

TEST_F(ElmHttpTest, TheDashboardLinksTheExport) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("href=\"/export/elm.xml\""), std::string::npos);
}

TEST_F(ElmHttpTest, BadParametersAreRefused) {
  auto res = get({}, "?author=nothex");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("author"), std::string::npos) << res->body;
  auto empty = get();
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 200);
  EXPECT_EQ(count(empty->body, "<learningOpportunity id="), 0u);
}

}  // namespace
}  // namespace eichub
