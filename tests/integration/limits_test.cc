// [limits] in a real home's config.toml: `eichub run --check-config` prints every limit in force
// and refuses a bad one by name; a daemon started with a small http.max_body_bytes takes a body
// of that size and answers 413 to one a byte larger, over real HTTP.
#include "node/config/limits.h"

#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "node/publish/stream_publish.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

using nlohmann::json;
using testing::NodeProcess;

constexpr char kToken[] = "test-token-0123456789abcdef";
constexpr char kCourse[] =
    R"({"kind":"LearningResource","id":"http://example.org/c/1","title":{"en":"Wound care"}})";
constexpr size_t kMaxBodyBytes = 4096;

TEST(LimitsConfigTest, CheckConfigListsEveryLimitWithItsUnitAndTheDefaultsChanged) {
  testing::TempDir dir;
  NodeProcess node(dir.file("a"), "Leeds", "UKE42");
  ASSERT_TRUE(node.editConfig("# max_body_bytes = 16777216", "max_body_bytes = 4096"));
  ASSERT_TRUE(node.editConfig("# want_credit = 4096", "want_credit = 512"));
  const std::string out = node.ok({"run", "--check-config"});
  EXPECT_NE(out.find("config ok"), std::string::npos) << out;
  for (const config::LimitSpec& spec : config::limitSpecs()) {
    EXPECT_NE(out.find(config::fullLimitKey(spec) + " "), std::string::npos)
        << config::fullLimitKey(spec) << " missing from\n"
        << out;
  }
  EXPECT_NE(out.find("limits.http.max_body_bytes"), std::string::npos);
  auto line_of = [&out](const std::string& key) {
    const size_t at = out.find(key + " ");
    return at == std::string::npos ? std::string() : out.substr(at, out.find('\n', at) - at);
  };
  const std::string body_line = line_of("limits.http.max_body_bytes");
  EXPECT_NE(body_line.find(" 4096 bytes (default 16777216)"), std::string::npos) << body_line;
  EXPECT_NE(line_of("limits.sync.want_credit").find(" 512 updates (default 4096)"),
            std::string::npos)
      << out;
  // A limit left alone shows no default.
  EXPECT_EQ(line_of("limits.sync.reject_limit").find("default"), std::string::npos) << out;

  json listed = json::parse(node.ok({"run", "--check-config", "--json"}), nullptr, false);
  ASSERT_TRUE(listed.is_object());
  ASSERT_EQ(listed["limits"].size(), config::limitSpecs().size());
  bool found = false;
  for (const json& limit : listed["limits"]) {
    if (limit["key"] != "limits.http.max_body_bytes") continue;
    found = true;
    EXPECT_EQ(limit["value"], 4096);
    EXPECT_EQ(limit["default"], 16u << 20);
    EXPECT_EQ(limit["unit"], "bytes");
  }
  EXPECT_TRUE(found) << listed.dump();
}

TEST(LimitsConfigTest, CheckConfigRefusesABadLimitByNameAndExitsNonZero) {
  testing::TempDir dir;
  NodeProcess node(dir.file("a"), "Leeds", "UKE42");
  ASSERT_TRUE(node.editConfig("# max_body_bytes = 16777216", "max_body_bytes = 10"));
  auto range = node.cli({"run", "--check-config"});
  EXPECT_NE(range.exit_code, 0);
  EXPECT_NE(range.err.find("limits.http.max_body_bytes = 10 is out of range: 1024 to"),
            std::string::npos)
      << range.err;
  ASSERT_TRUE(node.editConfig("max_body_bytes = 10", "max_body_byte = 4096"));
  auto typo = node.cli({"run", "--check-config"});
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("limits.http.max_body_byte is not a known limit"), std::string::npos)
      << typo.err;
  ASSERT_TRUE(node.editConfig("max_body_byte = 4096", "max_body_bytes = \"4096\""));
  auto type = node.cli({"run", "--check-config"});
  EXPECT_NE(type.exit_code, 0);
  EXPECT_NE(type.err.find("limits.http.max_body_bytes must be an integer"), std::string::npos)
      << type.err;
  // The daemon refuses to start on it too.
  EXPECT_NE(node.cli({"run"}).exit_code, 0);
}

TEST(LimitsConfigTest, AConfiguredBodyLimitTakesItsSizeAndRefusesOneByteMoreWith413) {
  testing::TempDir dir;
  NodeProcess node(dir.file("a"), "Leeds", "UKE42");
  node.setApiToken(kToken);
  ASSERT_TRUE(node.editConfig("# max_body_bytes = 16777216",
                              "max_body_bytes = " + std::to_string(kMaxBodyBytes)));
  node.start();
  const std::string address = node.httpAddress();
  ASSERT_FALSE(address.empty());
  const size_t colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  client.set_read_timeout(30, 0);
  const httplib::Headers auth{{"Authorization", std::string("Bearer ") + kToken}};
  // One record, padded with blanks to the limit.
  std::string at_limit = kCourse;
  at_limit += std::string(kMaxBodyBytes - at_limit.size() - 1, ' ') + "\n";
  ASSERT_EQ(at_limit.size(), kMaxBodyBytes);
  auto taken = client.Post("/api/v1/publish", auth, at_limit, "application/x-ndjson");
  ASSERT_TRUE(taken) << httplib::to_string(taken.error());
  EXPECT_EQ(taken->status, 200) << taken->body;

  auto refused = client.Post("/api/v1/publish", auth, at_limit + " ", "application/x-ndjson");
  ASSERT_TRUE(refused) << httplib::to_string(refused.error());
  EXPECT_EQ(refused->status, 413) << refused->body;
  json body = json::parse(refused->body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << refused->body;
  EXPECT_EQ(body["error"]["code"], "payload_too_large");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("larger than 4096 bytes"),
            std::string::npos)
      << refused->body;
}

// A body at the limit holding more changes than one part (publish::kStreamBatchChanges) is
// published in parts, as `eichub publish` does a file (issue 17, finding 9): every line lands
// and the answer adds the parts up.
TEST(LimitsConfigTest, APublishAtTheBodyLimitOfSeveralPartsLandsWhole) {
  constexpr size_t kLimit = 1 << 20;
  testing::TempDir dir;
  NodeProcess node(dir.file("a"), "Leeds", "UKE42");
  node.setApiToken(kToken);
  ASSERT_TRUE(
      node.editConfig("# max_body_bytes = 16777216", "max_body_bytes = " + std::to_string(kLimit)));
  node.start();
  const std::string address = node.httpAddress();
  ASSERT_FALSE(address.empty());
  const size_t colon = address.rfind(':');
  httplib::Client client(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
  client.set_read_timeout(120, 0);
  const httplib::Headers auth{{"Authorization", std::string("Bearer ") + kToken}};
  std::string body;
  size_t lines = 0;
  while (true) {
    const std::string line =
        json{{"kind", "Skill"}, {"id", "s:" + std::to_string(lines)}, {"prefLabel", {{"en", "x"}}}}
            .dump() +
        "\n";
    if (body.size() + line.size() > kLimit) break;
    body += line;
    ++lines;
  }
  body += std::string(kLimit - body.size(), ' ');  // blanks up to the limit exactly
  ASSERT_EQ(body.size(), kLimit);
  ASSERT_GT(lines, 2 * publish::kStreamBatchChanges);
  const uint64_t before = node.seqOf(node.nodeId());  // the node's profile
  auto taken = client.Post("/api/v1/publish", auth, body, "application/x-ndjson");
  ASSERT_TRUE(taken) << httplib::to_string(taken.error());
  ASSERT_EQ(taken->status, 200) << taken->body;
  json answer = json::parse(taken->body, nullptr, false);
  EXPECT_EQ(answer["added"], lines) << taken->body;
  EXPECT_EQ(answer["skipped"], 0);
  EXPECT_GE(answer["batches"].get<uint64_t>(), 3u);
  EXPECT_EQ(node.seqOf(node.nodeId()), before + lines);
}

}  // namespace
}  // namespace eichub
