// eichub publish of a JSON Lines file and eichub import csv hold one part of the file at a time
// (issue 17, finding 9): a file of about 100 MB publishes with a heap far below its size, where
// holding its changes took more than the file; a bad last line still publishes nothing.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <gtest/gtest.h>

#include "tests/multinode/daemon_status.h"
#include "tests/testing/child_process.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace eichub {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;

constexpr int kRecords = 40'000;
constexpr size_t kDescriptionBytes = 2'400;  // about 2.5 KB a line: 100 MB in all

ProcessResult eichub(std::vector<std::string> args) {
  args.insert(args.begin(), EICHUB_BINARY);
  return testing::runProcess(args);
}

std::string description(int i) { return std::string(kDescriptionBytes, 'a' + i % 26); }

// n courses as JSON Lines, then bad_tail when not empty.
std::string writeJsonLines(const testing::TempDir& dir, int n, const std::string& bad_tail) {
  const std::string path = dir.file("big.jsonl");
  std::ofstream out(path, std::ios::binary);
  for (int i = 0; i < n; ++i) {
    out << R"({"kind":"LearningResource","id":"big/)" << i << R"(","title":{"en":"Course )" << i
        << R"("},"description":{"en":")" << description(i) << "\"}}\n";
  }
  out << bad_tail;
  return path;
}

std::string init(const testing::TempDir& dir) {
  const std::string home = dir.file("a");
  EXPECT_EQ(eichub({"init", "--home", home, "--name", "A"}).exit_code, 0);
  return home;
}

// Runs eichub with args to the end, sampling its heap; expects it to succeed, saying
// "added <kRecords>", with a peak heap under a third of the input file.
void expectBoundedRun(const testing::TempDir& dir, const std::vector<std::string>& args,
                      const std::string& input) {
  const int64_t file_kb = static_cast<int64_t>(fs::file_size(input) / 1024);
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), EICHUB_BINARY);
  testing::ChildProcess child(argv, dir.file("run.log"));
  const testing::SampledRun run = testing::sampleUntilExit(child, std::chrono::seconds(280));
  std::ifstream log(dir.file("run.log"));
  const std::string out((std::istreambuf_iterator<char>(log)), {});
  ASSERT_EQ(run.exit_code, 0) << out;
  EXPECT_NE(out.find("added " + std::to_string(kRecords) + ","), std::string::npos) << out;
  std::cout << args[0] << " " << fs::path(input).filename() << ": " << file_kb
            << " KiB, peak anonymous RSS " << run.peak_anon_kb << " KiB\n";
  // Holding the file's changes took more than the file; a part at a time, about 20 MiB, most
  // of it the parts in flight and the first pass's keys.
  if (testing::rssMeasuresMemory()) {
    EXPECT_LT(run.peak_anon_kb, file_kb / 3);
  }
}

TEST(StreamImportTest, ALargeJsonLinesFilePublishesInBoundedMemory) {
  testing::TempDir dir;
  const std::string home = init(dir);
  const std::string file = writeJsonLines(dir, kRecords, "");
  expectBoundedRun(dir, {"publish", "--home", home, file}, file);
  EXPECT_EQ(eichub({"get", "--home", home, "big/" + std::to_string(kRecords - 1)}).exit_code, 0);
}

TEST(StreamImportTest, ALargeCsvImportsInBoundedMemory) {
  testing::TempDir dir;
  const std::string home = init(dir);
  const std::string mapping = dir.file("mapping.toml");
  std::ofstream(mapping) << "[[record]]\nkind = \"LearningResource\"\nid = \"csv/{id}\"\n"
                            "title = { en = \"{title}\" }\ndescription = { en = \"{text}\" }\n";
  const std::string file = dir.file("big.csv");
  {
    std::ofstream out(file, std::ios::binary);
    out << "id,title,text\n";
    for (int i = 0; i < kRecords; ++i) {
      out << i << ",Course " << i << "," << description(i) << "\n";
    }
  }
  expectBoundedRun(dir, {"import", "csv", "--home", home, file, "--mapping", mapping}, file);
}

// The strict rule holds for a file of many parts: the bad line is found before anything is
// signed.
TEST(StreamImportTest, ABadLastLinePublishesNothing) {
  testing::TempDir dir;
  const std::string home = init(dir);
  const std::string before = eichub({"digest", "--home", home}).out;
  const std::string file = writeJsonLines(dir, 10'000, "{\"kind\":\"LearningResource\"}\n");
  ProcessResult refused = eichub({"publish", "--home", home, file});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("nothing published: " + file + ":10001:"), std::string::npos)
      << refused.err;
  EXPECT_EQ(eichub({"digest", "--home", home}).out, before);
  EXPECT_NE(eichub({"get", "--home", home, "big/0"}).exit_code, 0);
}

}  // namespace
}  // namespace eichub
