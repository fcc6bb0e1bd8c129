// Tests for [limits] in config.toml: the table's defaults, every key read from a real file, and
// every refusal (out of range, wrong type, unknown key, inconsistent pair) naming the key.
#include "node/config/limits.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "node/config/options.h"
#include "tests/testing/temp_dir.h"

namespace eichub::config {
namespace {

// The TOML that sets spec's key to value_text: in [limits] itself or in its sub-table.
std::string tomlSetting(const LimitSpec& spec, const std::string& value_text) {
  const size_t dot = spec.key.find('.');
  const std::string table =
      dot == std::string_view::npos ? "limits" : "limits." + std::string(spec.key.substr(0, dot));
  const std::string name(dot == std::string_view::npos ? spec.key : spec.key.substr(dot + 1));
  return "[" + table + "]\n" + name + " = " + value_text + "\n";
}

std::string configWith(const std::string& limits_toml) {
  return "[node]\nname = \"n\"\n" + limits_toml;
}

Result<Options> loadFile(testing::TempDir& dir, const std::string& text) {
  const std::string path = dir.file("config.toml");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return loadOptions(path, [](const char*) -> const char* { return nullptr; });
}

// A value other than the default that the rest of the defaults accept (checkLimits).
uint64_t otherValue(const LimitSpec& spec) {
  for (uint64_t candidate : {spec.min, spec.max, spec.default_value + 1, spec.default_value - 1}) {
    if (candidate == spec.default_value || candidate < spec.min || candidate > spec.max) continue;
    Limits limits;
    limits.*spec.field = candidate;
    if (checkLimits(limits).ok()) return candidate;
  }
  ADD_FAILURE() << fullLimitKey(spec) << " has no other value the defaults accept";
  return spec.default_value;
}

void expectNamed(const Result<Options>& parsed, const std::string& key,
                 const std::string& also = "") {
  ASSERT_FALSE(parsed.ok()) << key << " was accepted";
  const std::string message = parsed.status().message();
  EXPECT_NE(message.find(key), std::string::npos) << message;
  if (!also.empty()) {
    EXPECT_NE(message.find(also), std::string::npos) << message;
  }
}

TEST(LimitsTest, TheTableHoldsEveryFieldOnceWithItsDefaultInItsRange) {
  // Limits holds only uint64_t fields, so this counts them: a field without a row fails here.
  EXPECT_EQ(limitSpecs().size(), sizeof(Limits) / sizeof(uint64_t));
  const Limits defaults;
  std::set<std::string_view> keys;
  std::vector<uint64_t Limits::*> fields;  // member pointers have no order, only ==
  for (const LimitSpec& spec : limitSpecs()) {
    EXPECT_TRUE(keys.insert(spec.key).second) << spec.key;
    EXPECT_EQ(std::find(fields.begin(), fields.end(), spec.field), fields.end()) << spec.key;
    fields.push_back(spec.field);
    EXPECT_EQ(defaults.*spec.field, spec.default_value) << spec.key;
    EXPECT_LE(spec.min, spec.default_value) << spec.key;
    EXPECT_LE(spec.default_value, spec.max) << spec.key;
    // Ranges keep every value within what the components' int fields hold.
    EXPECT_LE(spec.max, uint64_t{1} << 40) << spec.key;
    EXPECT_FALSE(spec.unit.empty()) << spec.key;
    EXPECT_FALSE(spec.doc.empty()) << spec.key;
  }
  EXPECT_TRUE(checkLimits(defaults).ok()) << checkLimits(defaults).toString();
}

TEST(LimitsTest, ADefaultConfigFileParsesToTheDefaults) {
  testing::TempDir dir;
  Options options;
  options.name = "n";
  auto parsed = loadFile(dir, renderOptions(options));
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->limits, Limits{});
  auto bare = loadFile(dir, configWith(""));
  ASSERT_TRUE(bare.ok()) << bare.status().toString();
  EXPECT_EQ(bare->limits, Limits{});
}

TEST(LimitsTest, EveryKeyRoundTripsThroughAFile) {
  testing::TempDir dir;
  for (const LimitSpec& spec : limitSpecs()) {
    SCOPED_TRACE(fullLimitKey(spec));
    const uint64_t value = otherValue(spec);
    Limits expected;
    expected.*spec.field = value;
    // Written by hand, as an operator does.
    auto parsed = loadFile(dir, configWith(tomlSetting(spec, std::to_string(value))));
    ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
    EXPECT_EQ(parsed->limits, expected);
    // Rendered (eichub init), then read back: the same limits, and the same text.
    Options options;
    options.name = "n";
    options.limits = expected;
    const std::string rendered = renderOptions(options);
    auto reparsed = loadFile(dir, rendered);
    ASSERT_TRUE(reparsed.ok()) << reparsed.status().toString();
    EXPECT_EQ(reparsed->limits, expected);
    EXPECT_EQ(renderOptions(*reparsed), rendered);
  }
}

TEST(LimitsTest, AValueOutOfRangeIsRefusedWithTheKeyTheValueAndTheRange) {
  testing::TempDir dir;
  for (const LimitSpec& spec : limitSpecs()) {
    SCOPED_TRACE(fullLimitKey(spec));
    const std::string range = std::to_string(spec.min) + " to " + std::to_string(spec.max);
    // At each end: accepted (when the defaults allow it), one past it refused.
    for (uint64_t edge : {spec.min, spec.max}) {
      Limits limits;
      limits.*spec.field = edge;
      if (!checkLimits(limits).ok()) continue;
      auto at = loadFile(dir, configWith(tomlSetting(spec, std::to_string(edge))));
      EXPECT_TRUE(at.ok()) << at.status().toString();
    }
    const std::string over = std::to_string(spec.max + 1);
    expectNamed(loadFile(dir, configWith(tomlSetting(spec, over))),
                fullLimitKey(spec) + " = " + over, range);
    const std::string under = spec.min > 0 ? std::to_string(spec.min - 1) : "-1";
    expectNamed(loadFile(dir, configWith(tomlSetting(spec, under))),
                fullLimitKey(spec) + " = " + under, range);
  }
}

TEST(LimitsTest, AValueOfTheWrongTypeIsRefusedWithTheKey) {
  testing::TempDir dir;
  for (const LimitSpec& spec : limitSpecs()) {
    SCOPED_TRACE(fullLimitKey(spec));
    const std::string value = std::to_string(spec.default_value);
    expectNamed(loadFile(dir, configWith(tomlSetting(spec, "\"" + value + "\""))),
                fullLimitKey(spec), "must be an integer");
    expectNamed(loadFile(dir, configWith(tomlSetting(spec, value + ".5"))), fullLimitKey(spec),
                "not a float");
    expectNamed(loadFile(dir, configWith(tomlSetting(spec, "true"))), fullLimitKey(spec),
                "not a boolean");
  }
}

TEST(LimitsTest, UnknownKeysAndTablesAreRefusedByName) {
  testing::TempDir dir;
  expectNamed(loadFile(dir, configWith("[limits.sync]\nwant_credits = 10\n")),
              "limits.sync.want_credits", "not a known limit");
  expectNamed(loadFile(dir, configWith("[limits]\nmax_updates_per_authors = 10\n")),
              "limits.max_updates_per_authors", "not a known limit");
  // A key of one table in another.
  expectNamed(loadFile(dir, configWith("[limits.http]\nmax_message_bytes = 1048576\n")),
              "limits.http.max_message_bytes", "not a known limit");
  expectNamed(loadFile(dir, configWith("[limits.htttp]\nthreads = 4\n")), "limits.htttp",
              "not a table of limits");
  expectNamed(loadFile(dir, configWith("[limits]\nsync = 4\n")), "limits.sync", "must be a table");
  expectNamed(loadFile(dir, "limits = 4\n[node]\nname = \"n\"\n"), "limits", "must be a table");
}

TEST(LimitsTest, InconsistentPairsAreRefusedNamingBothKeys) {
  testing::TempDir dir;
  // A send queue must hold a budget and one message past it: 16 MiB + 8 MiB.
  expectNamed(loadFile(dir, configWith("[limits.sync]\nsend_queue_bytes = 20971520\n")),
              "limits.sync.send_queue_bytes = 20971520", "limits.sync.serve_budget_bytes");
  expectNamed(loadFile(dir, configWith("[limits.transport]\nheartbeat_timeout_ms = 1000\n")),
              "limits.transport.heartbeat_timeout_ms", "limits.transport.heartbeat_ivl_ms");
  expectNamed(loadFile(dir, configWith("[limits.transport]\nreconnect_ivl_ms = 10000\n")),
              "limits.transport.reconnect_ivl_max_ms", "limits.transport.reconnect_ivl_ms");
  expectNamed(loadFile(dir, configWith("[limits.http]\nrequest_deadline_ms = 2000\n")),
              "limits.http.request_deadline_ms", "limits.http.head_deadline_ms");
  expectNamed(loadFile(dir, configWith("[limits.http]\nthreads = 2\nmax_concurrent_exports = 2\n")),
              "limits.http.threads", "limits.http.max_concurrent_exports");
  // Both sides moved together are fine.
  auto together = loadFile(
      dir, configWith("[limits.sync]\nserve_budget_bytes = 1048576\nsend_queue_bytes = 9437184\n"));
  ASSERT_TRUE(together.ok()) << together.status().toString();
  EXPECT_EQ(together->limits.sync_send_queue_bytes, 9437184u);
}

std::string readSourceFile(const std::string& relative) {
  std::ifstream in(std::string(EICHUB_SOURCE_DIR) + "/" + relative, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// docs/limits.md's table and ops/eichub.example.toml's [limits] are this table, written out:
// on a failure the test prints what they must hold.
TEST(LimitsTest, TheDocsAndTheSampleConfigListEveryLimitAsTheTableHasIt) {
  std::string rows = "| key | default | range | unit | meaning |\n|---|---|---|---|---|\n";
  for (const LimitSpec& spec : limitSpecs()) {
    rows += "| `" + fullLimitKey(spec) + "` | " + std::to_string(spec.default_value) + " | " +
            std::to_string(spec.min) + " to " + std::to_string(spec.max) + " | " +
            std::string(spec.unit) + " | " + std::string(spec.doc) + " |\n";
  }
  EXPECT_NE(readSourceFile("docs/limits.md").find(rows), std::string::npos)
      << "docs/limits.md must hold this table:\n"
      << rows;
  const std::string sample = renderLimits(Limits{});
  EXPECT_NE(readSourceFile("ops/eichub.example.toml").find(sample), std::string::npos)
      << "ops/eichub.example.toml must hold:\n"
      << sample;
}

}  // namespace
}  // namespace eichub::config
