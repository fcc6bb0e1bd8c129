// Tests for rendering config.toml: what parses renders to a file that parses to the same options.
#include <string>

#include <gtest/gtest.h>

#include "node/config/options.h"

namespace eichub::config {
namespace {

// Found with fuzz_config's round-trip check, on a hand-written input: renderOptions copied
// control characters into TOML strings, which TOML forbids, so `eichub init` could write a
// config.toml the node then refused.
TEST(OptionsRenderTest, ControlCharactersRenderAsEscapes) {
  Options options;
  options.name = std::string(
      "a\x01"
      "b\tc\x7f"
      "d\0e",
      9);
  options.contact = "line\nbreak \"quoted\" back\\slash";
  const std::string rendered = renderOptions(options);
  auto parsed = parseOptions(rendered, "rendered");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->name, options.name);
  EXPECT_EQ(parsed->contact, options.contact);
  EXPECT_EQ(renderOptions(*parsed), rendered);
}

TEST(OptionsRenderTest, BadValuesAreNamed) {
  auto parsed = parseOptions("[node]\nname = \"n\"\n[store]\ninitial_map_mb = -1\n", "c.toml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("store.initial_map_mb"), std::string::npos);
}

// [limits] is off by default, renders and parses back, and refuses a negative limit by name.
TEST(OptionsRenderTest, LocalLimitsAreOffByDefaultAndRoundTrip) {
  auto defaults = parseOptions("[node]\nname = \"n\"\n", "c.toml");
  ASSERT_TRUE(defaults.ok()) << defaults.status().toString();
  EXPECT_EQ(defaults->limits.max_updates_per_author, 0u);
  EXPECT_EQ(defaults->limits.max_mb_per_author, 0u);
  Options options;
  options.name = "n";
  options.limits.max_updates_per_author = 21'000;
  options.limits.max_mb_per_author = 137;
  auto parsed = parseOptions(renderOptions(options), "rendered");
  ASSERT_TRUE(parsed.ok()) << parsed.status().toString();
  EXPECT_EQ(parsed->limits.max_updates_per_author, 21'000u);
  EXPECT_EQ(parsed->limits.max_mb_per_author, 137u);
  // The byte budget is in MiB, at most 2^20 (1 TiB): one more is refused by name.
  auto over =
      parseOptions("[node]\nname = \"n\"\n[limits]\nmax_mb_per_author = 1048577\n", "c.toml");
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("limits.max_mb_per_author"), std::string::npos);
  auto negative =
      parseOptions("[node]\nname = \"n\"\n[limits]\nmax_updates_per_author = -1\n", "c.toml");
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("limits.max_updates_per_author"), std::string::npos);
}

}  // namespace
}  // namespace eichub::config
