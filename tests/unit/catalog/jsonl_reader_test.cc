// Tests of readJsonLines: line handling, limits, strict and skip-bad modes, duplicates, and the
// project's sample catalogues in tests/testdata/sample.
#include "node/catalog/jsonl_reader.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "node/catalog/record_json.h"
#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace eichub::catalog {
namespace {

constexpr const char* kProvider = R"({"kind":"Provider","id":"p1","name":{"en":"One"}})";
constexpr const char* kProvider2 = R"({"kind":"Provider","id":"p2","name":{"en":"Two"}})";
constexpr const char* kResource =
    R"({"kind":"LearningResource","id":"r1","title":{"en":"Course"},"provider":"p1"})";

class JsonlReaderTest : public ::testing::Test {
 protected:
  // Writes content to a file in the temp dir and returns its path.
  std::string write(const std::string& content, const std::string& name = "in.jsonl") {
    std::string path = dir_.file(name);
    testing::writeFile(path, content);
    return path;
  }
  static LoadOptions skipBad() {
    LoadOptions options;
    options.mode = ErrorMode::kSkipBad;
    return options;
  }
  // Expects a strict-mode failure "path:line: reason...".
  void expectFails(const std::string& content, uint64_t line, std::string_view reason) {
    std::string path = write(content);
    Result<LoadResult> result = readJsonLines(path);
    ASSERT_FALSE(result.ok()) << "accepted:\n" << content;
    EXPECT_EQ(result.status().code(), Status::Code::kInvalidArgument);
    std::string expected = path + ":" + std::to_string(line) + ": " + std::string(reason);
    EXPECT_EQ(result.status().message().substr(0, expected.size()), expected)
        << result.status().message();
  }

  testing::TempDir dir_;
};

TEST_F(JsonlReaderTest, ReadsLinesSkippingBlanksWithCrlfAndNoFinalNewline) {
  std::string content = std::string(kProvider) + "\r\n\n   \t\n" + kResource + "\n\n" + kProvider2;
  Result<LoadResult> result = readJsonLines(write(content));
  ASSERT_TRUE(result.ok()) << result.status().toString();
  ASSERT_EQ(result->changes.size(), 3u);
  EXPECT_EQ(result->changes[0].id, "p1");
  EXPECT_EQ(result->changes[1].kind, catalog::Kind::LEARNING_RESOURCE);
  EXPECT_EQ(result->changes[2].id, "p2");
  EXPECT_EQ(result->read, 3u);
  EXPECT_EQ(result->skipped, 0u);
  EXPECT_TRUE(result->errors.empty());
}

TEST_F(JsonlReaderTest, EmptyFileGivesNoChanges) {
  Result<LoadResult> result = readJsonLines(write(""));
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result->changes.empty());
}

TEST_F(JsonlReaderTest, MissingFileIsNotFound) {
  Result<LoadResult> result = readJsonLines(dir_.file("absent.jsonl"));
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().isNotFound());
}

TEST_F(JsonlReaderTest, BadLinesNameFileLineAndReason) {
  std::string ok = std::string(kProvider) + "\n";
  expectFails(ok + "{\"kind\":\"Provider\",\n", 2, "malformed JSON: parse error");
  expectFails(ok + "\n[1,2]\n", 3, "record: expected a JSON object, got array");
  expectFails(ok + "{\"kind\":\"Provider\",\"id\":\"p\xff\",\"name\":{\"en\":\"x\"}}\n", 2,
              "not valid UTF-8");
  expectFails(ok + R"({"kind":"Provider","id":"p","id":"q","name":{"en":"x"}})" + "\n", 2,
              "malformed JSON: key \"id\" appears twice in one object");
  expectFails(ok + R"({"kind":"LearningResource","id":"r","title":{"en":"x"},"eqfLevel":"four"})",
              2, "eqfLevel: expected an integer 1..8, got string");
  expectFails(ok + R"({"kind":"LearningResource","id":"r","titel":{"en":"x"}})", 2,
              "titel: unknown field");
  expectFails(ok + R"({"kind":"LearningResource","id":"r"})", 2, "title: missing required field");
  expectFails(ok + "{} {}\n", 2, "malformed JSON: parse error");
}

TEST_F(JsonlReaderTest, NestingAtLimitAndLimitPlusOne) {
  // The record object is depth 0; "url" then holds `levels` nested lists.
  auto nested = [](int levels) {
    std::string line = R"({"kind":"Provider","id":"p","name":{"en":"x"},"url":)";
    for (int i = 0; i < levels; ++i) line += "[";
    for (int i = 0; i < levels; ++i) line += "]";
    return line + "}";
  };
  // At the limit the parser accepts the line and the record check rejects the url.
  expectFails(nested(kMaxJsonDepth), 1, "url: expected a string, got array");
  expectFails(nested(kMaxJsonDepth + 1), 1, "malformed JSON: nested deeper than 16");
}

TEST_F(JsonlReaderTest, LineLengthAtLimitAndLimitPlusOne) {
  // A valid line padded with spaces to exactly kMaxLineBytes; then one byte more.
  std::string line = kProvider;
  line.append(kMaxLineBytes - line.size(), ' ');
  ASSERT_EQ(line.size(), kMaxLineBytes);
  Result<LoadResult> at_limit = readJsonLines(write(line + "\r\n" + kProvider2 + "\n"));
  ASSERT_TRUE(at_limit.ok()) << at_limit.status().toString();
  EXPECT_EQ(at_limit->changes.size(), 2u);

  expectFails(std::string(kProvider2) + "\n" + line + " \n", 2, "line longer than 1048576 bytes");

  // In skip-bad mode the reader resynchronises at the next newline.
  Result<LoadResult> skipped = readJsonLines(write(line + " \n" + kProvider2 + "\n"), skipBad());
  ASSERT_TRUE(skipped.ok()) << skipped.status().toString();
  ASSERT_EQ(skipped->changes.size(), 1u);
  EXPECT_EQ(skipped->changes[0].id, "p2");
  EXPECT_EQ(skipped->skipped, 1u);
}

TEST_F(JsonlReaderTest, ConfiguredLineLimit) {
  LoadOptions options;
  options.max_line_bytes = std::string(kProvider).size();
  EXPECT_TRUE(readJsonLines(write(std::string(kProvider) + "\n"), options).ok());
  options.max_line_bytes -= 1;
  Result<LoadResult> result = readJsonLines(write(std::string(kProvider) + "\n"), options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(":1: line longer than"), std::string::npos);
}

TEST_F(JsonlReaderTest, StrictFailsWholeFileSkipBadKeepsTheGoodLines) {
  std::string content = std::string(kProvider) + "\n" + "not json\n" + kResource + "\n" +
                        R"({"kind":"Provider","id":"p3"})" + "\n" + kProvider2 + "\n";
  std::string path = write(content);
  Result<LoadResult> strict = readJsonLines(path);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().message().substr(0, path.size() + 3), path + ":2:");

  Result<LoadResult> lenient = readJsonLines(path, skipBad());
  ASSERT_TRUE(lenient.ok()) << lenient.status().toString();
  ASSERT_EQ(lenient->changes.size(), 3u);
  EXPECT_EQ(lenient->changes[2].id, "p2");
  EXPECT_EQ(lenient->read, 5u);
  EXPECT_EQ(lenient->skipped, 2u);
  ASSERT_EQ(lenient->errors.size(), 2u);
  EXPECT_EQ(lenient->errors[0].substr(0, path.size() + 18), path + ":2: malformed JSON");
  EXPECT_EQ(lenient->errors[1], path + ":4: name: missing required field");
}

TEST_F(JsonlReaderTest, ReportedErrorsAreCappedButCounted) {
  std::string content;
  for (size_t i = 0; i < kMaxReportedErrors + 1; ++i) content += "x\n";
  content += std::string(kProvider) + "\n";
  Result<LoadResult> result = readJsonLines(write(content), skipBad());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->skipped, kMaxReportedErrors + 1);
  EXPECT_EQ(result->errors.size(), kMaxReportedErrors);
  EXPECT_EQ(result->changes.size(), 1u);
}

TEST_F(JsonlReaderTest, MaxChangesAtLimitAndLimitPlusOne) {
  LoadOptions options;
  options.max_changes = 2;
  std::string two = std::string(kProvider) + "\n" + kProvider2 + "\n";
  EXPECT_TRUE(readJsonLines(write(two), options).ok());
  options.mode = ErrorMode::kSkipBad;
  Result<LoadResult> over = readJsonLines(write(two + kResource + "\n"), options);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Status::Code::kResourceExhausted);
}

TEST_F(JsonlReaderTest, FileBytesAtLimitAndLimitPlusOne) {
  const std::string two = std::string(kProvider) + "\n" + kProvider2 + "\n";
  LoadOptions options;
  options.max_file_bytes = two.size();
  EXPECT_TRUE(readJsonLines(write(two), options).ok());
  options.mode = ErrorMode::kSkipBad;
  const std::string path = write(two + "\n");
  Result<LoadResult> over = readJsonLines(path, options);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), Status::Code::kResourceExhausted);
  EXPECT_EQ(over.status().message(),
            path + ": larger than " + std::to_string(two.size()) + " bytes; split it");
}

TEST_F(JsonlReaderTest, DuplicateKeys) {
  // The same record twice: published once, counted.
  std::string same = std::string(kProvider) + "\n" + kResource + "\n" + kProvider + "\n";
  Result<LoadResult> result = readJsonLines(write(same));
  ASSERT_TRUE(result.ok()) << result.status().toString();
  EXPECT_EQ(result->changes.size(), 2u);
  EXPECT_EQ(result->duplicates, 1u);

  // The same (kind, id) with different content is an error naming the first line.
  std::string differ = std::string(kProvider) + "\n" + kResource + "\n" +
                       R"({"kind":"Provider","id":"p1","name":{"en":"Uno"}})" + "\n";
  expectFails(differ, 3, "Provider \"p1\": duplicate of line 1 with different content");
  Result<LoadResult> lenient = readJsonLines(write(differ), skipBad());
  ASSERT_TRUE(lenient.ok());
  ASSERT_EQ(lenient->changes.size(), 2u);
  EXPECT_EQ(lenient->skipped, 1u);

  // The same id under another kind is another record.
  std::string kinds =
      std::string(kProvider) + "\n" + R"({"kind":"SkillNeed","id":"p1","skills":["s"]})" + "\n";
  Result<LoadResult> other = readJsonLines(write(kinds));
  ASSERT_TRUE(other.ok()) << other.status().toString();
  EXPECT_EQ(other->changes.size(), 2u);
}

TEST_F(JsonlReaderTest, DeleteLines) {
  std::string content = std::string(R"({"op":"delete","kind":"Provider","id":"old"})") + "\n" +
                        kProvider + "\n" + R"({"op":"delete","kind":"Provider","id":"old"})" + "\n";
  Result<LoadResult> result = readJsonLines(write(content));
  ASSERT_TRUE(result.ok()) << result.status().toString();
  ASSERT_EQ(result->changes.size(), 2u);
  EXPECT_EQ(result->changes[0].op, feed::Op::DELETE);
  EXPECT_EQ(result->changes[0].id, "old");
  EXPECT_TRUE(result->changes[0].body.empty());
  EXPECT_EQ(result->duplicates, 1u);
  expectFails(std::string(kProvider) + "\n" + R"({"op":"delete","kind":"Provider","id":"p1"})", 2,
              "Provider \"p1\": duplicate of line 1");
}

// The three demo catalogues parse strictly, and they hang together: every provider and every
// skill a resource names is defined in the same file.
TEST(SampleCataloguesTest, AllParseAndAreSelfConsistent) {
  struct Expected {
    const char* file;
    const char* region;
    size_t skills, providers, resources, needs;
  };
  for (const Expected& e :
       {Expected{"leeds.jsonl", "UKE42", 5, 2, 5, 2}, Expected{"bremen.jsonl", "DE501", 6, 2, 5, 2},
        Expected{"oslo.jsonl", "NO081", 7, 2, 5, 2}}) {
    SCOPED_TRACE(e.file);
    Result<LoadResult> result = readJsonLines(testing::testDataDir() + "/sample/" + e.file);
    ASSERT_TRUE(result.ok()) << result.status().toString();
    std::map<catalog::Kind, size_t> counts;
    std::set<std::string> skills, providers;
    std::vector<nlohmann::json> resources;
    for (const Change& change : result->changes) {
      ++counts[change.kind];
      auto reader = RecordReader::open(change.body);
      ASSERT_TRUE(reader.ok());
      nlohmann::json obj = recordToJson((*reader)->root());
      if (change.kind == catalog::Kind::SKILL) skills.insert(change.id);
      if (change.kind == catalog::Kind::PROVIDER) providers.insert(change.id);
      if (change.kind == catalog::Kind::LEARNING_RESOURCE) resources.push_back(obj);
      if (obj.contains("region")) {
        EXPECT_EQ(obj["region"], e.region) << change.id;
      }
    }
    EXPECT_EQ(counts[catalog::Kind::SKILL], e.skills);
    EXPECT_EQ(counts[catalog::Kind::PROVIDER], e.providers);
    EXPECT_EQ(counts[catalog::Kind::LEARNING_RESOURCE], e.resources);
    EXPECT_EQ(counts[catalog::Kind::SKILL_NEED], e.needs);
    EXPECT_EQ(result->duplicates, 0u);
    for (const nlohmann::json& r : resources) {
      EXPECT_EQ(providers.count(r["provider"].get<std::string>()), 1u) << r.dump();
      for (const auto& ref : r["teaches"]) {
        EXPECT_EQ(skills.count(ref["skill"].get<std::string>()), 1u) << r["id"];
      }
    }
  }
}

}  // namespace
}  // namespace eichub::catalog
