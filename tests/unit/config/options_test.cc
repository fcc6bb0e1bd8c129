// Options: the API token's rules and EICHUB_* environment overrides with their precedence.
#include "node/config/options.h"

#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/testing/temp_dir.h"

namespace eichub::config {
namespace {

constexpr char kConfig[] = R"(
[node]
name = "Leeds"
[http]
listen = "127.0.0.1:7481"
api_token = "file-token-0123456789"
[log]
level = "info"
)";

// An environment made of a map, so tests never touch the process's.
EnvFn envOf(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(OptionsTest, ApiTokenIsEmptyOrAtLeast16Bytes) {
  auto parsed = parseOptions(kConfig, "config.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->http_api_token, "file-token-0123456789");
  EXPECT_TRUE(parseOptions("[node]\nname = \"x\"\n", "c").value().http_api_token.empty());
  EXPECT_TRUE(
      parseOptions("[node]\nname = \"x\"\n[http]\napi_token = \"0123456789abcdef\"\n", "c").ok());
  auto short_token =
      parseOptions("[node]\nname = \"x\"\n[http]\napi_token = \"0123456789abcde\"\n", "c");
  EXPECT_EQ(short_token.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(short_token.status().message().find("api_token"), std::string::npos);
}

// Issue 17, finding 10: a config.toml holding http.api_token that group or others can read is
// refused with the fix named; the same file with mode 0600 loads.
TEST(OptionsTest, AllowedHostsAreHostHeaderValues) {
  EXPECT_TRUE(parseOptions("[node]\nname = \"x\"\n", "c").value().http_allowed_hosts.empty());
  auto parsed = parseOptions(
      "[node]\nname = \"x\"\n[http]\nallowed_hosts = [\"node.example:7481\", \"[::1]:80\"]\n", "c");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->http_allowed_hosts,
            (std::vector<std::string>{"node.example:7481", "[::1]:80"}));
  for (const char* bad : {R"("")", R"("http://node.example")", R"("a b")", R"("tab\there")"}) {
    auto refused = parseOptions(
        std::string("[node]\nname = \"x\"\n[http]\nallowed_hosts = [") + bad + "]\n", "c");
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_NE(refused.status().message().find("http.allowed_hosts"), std::string::npos) << bad;
  }
  EXPECT_FALSE(
      parseOptions("[node]\nname = \"x\"\n[http]\nallowed_hosts = \"node.example\"\n", "c").ok());
}

TEST(OptionsTest, AConfigHoldingATokenMustBeTheOwnersAlone) {
  eichub::testing::TempDir dir;
  const std::string path = dir.file("config.toml");
  std::ofstream(path) << kConfig;  // it sets http.api_token
  ::chmod(path.c_str(), 0644);
  auto refused = loadOptions(path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), Status::Code::kPermissionDenied);
  EXPECT_NE(refused.status().toString().find("chmod 600"), std::string::npos);
  ::chmod(path.c_str(), 0600);
  auto loaded = loadOptions(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ(loaded->http_api_token, "file-token-0123456789");
}

TEST(OptionsTest, EnvironmentOverridesTheFile) {
  Options options = parseOptions(kConfig, "config.toml").value();
  ASSERT_TRUE(applyEnvironment(options, envOf({{"EICHUB_HTTP_API_TOKEN", "env-token-0123456789"},
                                               {"EICHUB_HTTP_LISTEN", "127.0.0.1:0"},
                                               {"EICHUB_LOG_LEVEL", "debug"},
                                               {"EICHUB_STORE_INITIAL_MAP_MB", "64"}}))
                  .ok());
  EXPECT_EQ(options.http_api_token, "env-token-0123456789");
  EXPECT_EQ(options.http_listen, "127.0.0.1:0");
  EXPECT_EQ(options.log_level, "debug");
  EXPECT_EQ(options.store_initial_map_mb, 64u);
  EXPECT_EQ(options.name, "Leeds");  // not set in the environment: the file's value stays
}

TEST(OptionsTest, BadEnvironmentValuesNameTheVariable) {
  Options options = parseOptions(kConfig, "config.toml").value();
  Status number = applyEnvironment(options, envOf({{"EICHUB_STORE_MAX_MAP_MB", "lots"}}));
  EXPECT_EQ(number.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(number.message().find("EICHUB_STORE_MAX_MAP_MB"), std::string::npos);
  Options other = parseOptions(kConfig, "config.toml").value();
  Status level = applyEnvironment(other, envOf({{"EICHUB_LOG_LEVEL", "loud"}}));
  EXPECT_EQ(level.code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace eichub::config
