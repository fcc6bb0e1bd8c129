// The wire_message seed corpus: a generator (run by hand with EICHUB_WRITE_CORPUS=<dir>) and a
// replay that decodes every file, as the libFuzzer target does without libFuzzer.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "federation/wire/messages.h"
#include "tests/unit/wire/crafted_messages.h"

namespace eichub::wire {
namespace {

namespace fs = std::filesystem;

fs::path corpusDir() { return fs::path(EICHUB_SOURCE_DIR) / "tests/fuzz/corpus/wire_message"; }

TEST(WireCorpusTest, SamplesAreClassifiedAsNamed) {
  for (const auto& sample : crafted::sampleMessages()) {
    const bool valid = sample.name.starts_with("valid_");
    EXPECT_EQ(decode(sample.bytes).ok(), valid) << sample.name;
  }
}

// Regenerates the corpus: EICHUB_WRITE_CORPUS=tests/fuzz/corpus/wire_message ./wire_test
TEST(WireCorpusTest, WriteCorpus) {
  const char* dir = std::getenv("EICHUB_WRITE_CORPUS");
  if (dir == nullptr) GTEST_SKIP() << "set EICHUB_WRITE_CORPUS=<dir> to regenerate the corpus";
  fs::create_directories(dir);
  for (const auto& sample : crafted::sampleMessages()) {
    std::ofstream out(fs::path(dir) / (sample.name + ".bin"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(sample.bytes.data()),
              static_cast<std::streamsize>(sample.bytes.size()));
    ASSERT_TRUE(out.good()) << sample.name;
  }
}

TEST(WireCorpusTest, ReplayCorpus) {
  ASSERT_TRUE(fs::is_directory(corpusDir())) << corpusDir();
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(corpusDir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto result = decode(bytes);
    const std::string name = entry.path().filename().string();
    if (name.starts_with("valid_")) {
      EXPECT_TRUE(result.ok()) << name << ": " << result.status().toString();
    } else if (name.starts_with("invalid_")) {
      EXPECT_FALSE(result.ok()) << name;
    }
    ++files;
  }
  EXPECT_GE(files, 12u);
}

}  // namespace
}  // namespace eichub::wire
