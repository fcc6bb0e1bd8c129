// Tests for the streaming CSV reader: RFC 4180 quoting, line ends, gzip, limits and UTF-8.
// Every error case checks that the message names the line at fault.
#include "node/csv/csv_reader.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "tests/testing/files.h"
#include "tests/testing/temp_dir.h"

namespace eichub::csv {
namespace {

using Rows = std::vector<std::vector<std::string>>;
using testing::writeFile;

void writeGzip(const std::string& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb1");
  ASSERT_NE(file, nullptr) << path;
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

struct ReadOutcome {
  Rows rows;
  std::vector<uint64_t> lines;  // recordLine() of each row
  Status status;                // the error that stopped reading, or OK at end of file
};

// Reads a whole file; read_bytes > 0 selects the reader's tiny test read size.
ReadOutcome readPath(const std::string& path, CsvLimits limits = {}, size_t read_bytes = 0) {
  ReadOutcome out;
  auto reader =
      read_bytes ? CsvReader::openForTest(path, limits, read_bytes) : CsvReader::open(path, limits);
  if (!reader.ok()) {
    out.status = reader.status();
    return out;
  }
  std::vector<std::string> fields;
  for (;;) {
    auto more = (*reader)->next(fields);
    if (!more.ok()) {
      out.status = more.status();
      return out;
    }
    if (!*more) return out;
    out.rows.push_back(fields);
    out.lines.push_back((*reader)->recordLine());
  }
}

class CsvReaderTest : public ::testing::Test {
 protected:
  ReadOutcome read(const std::string& bytes, CsvLimits limits = {}) {
    std::string path = dir_.file("in.csv");
    writeFile(path, bytes);
    return readPath(path, limits);
  }
  // Reads bytes that must fail; returns the error message.
  std::string readError(const std::string& bytes, CsvLimits limits = {}) {
    ReadOutcome out = read(bytes, limits);
    EXPECT_FALSE(out.status.ok()) << "expected an error";
    EXPECT_EQ(out.status.code(), Status::Code::kInvalidArgument) << out.status.toString();
    return out.status.message();
  }
  testing::TempDir dir_;
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_F(CsvReaderTest, ReadsSimpleRecordsWithLf) {
  ReadOutcome out = read("a,b,c\n1,2,3\n");
  ASSERT_TRUE(out.status.ok()) << out.status.toString();
  EXPECT_EQ(out.rows, (Rows{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(out.lines, (std::vector<uint64_t>{1, 2}));
}

TEST_F(CsvReaderTest, CrlfAndLfGiveEqualRecords) {
  ReadOutcome lf = read("a,\"b\",c\n1,,3\n");
  ReadOutcome crlf = read("a,\"b\",c\r\n1,,3\r\n");
  ASSERT_TRUE(crlf.status.ok()) << crlf.status.toString();
  EXPECT_EQ(lf.rows, crlf.rows);
  EXPECT_EQ(crlf.rows, (Rows{{"a", "b", "c"}, {"1", "", "3"}}));
  EXPECT_EQ(crlf.lines, (std::vector<uint64_t>{1, 2}));
}

TEST_F(CsvReaderTest, QuotedFieldsKeepNewlinesAndLineNumbersFollow) {
  ReadOutcome out = read("h1,h2\r\n\"one\ntwo\r\nthree\",x\r\nlast,y\r\n");
  ASSERT_TRUE(out.status.ok()) << out.status.toString();
  EXPECT_EQ(out.rows, (Rows{{"h1", "h2"}, {"one\ntwo\r\nthree", "x"}, {"last", "y"}}));
  EXPECT_EQ(out.lines, (std::vector<uint64_t>{1, 2, 5}));
}

TEST_F(CsvReaderTest, DoubledQuotesInsideQuotedField) {
  ReadOutcome out = read("\"he said \"\"hi\"\"\",\"\"\"\",\"a,b\"\n");
  ASSERT_TRUE(out.status.ok()) << out.status.toString();
  EXPECT_EQ(out.rows, (Rows{{"he said \"hi\"", "\"", "a,b"}}));
}

TEST_F(CsvReaderTest, EmptyFieldsTrailingCommaAndMissingFinalNewline) {
  ReadOutcome out = read(",,\nx,\n\"\",y");
  ASSERT_TRUE(out.status.ok()) << out.status.toString();
  EXPECT_EQ(out.rows, (Rows{{"", "", ""}, {"x", ""}, {"", "y"}}));
}

TEST_F(CsvReaderTest, SkipsBlankLinesAndByteOrderMark) {
  ReadOutcome out = read("\xEF\xBB\xBFh\r\n\r\n\nv\n\n");
  ASSERT_TRUE(out.status.ok()) << out.status.toString();
  EXPECT_EQ(out.rows, (Rows{{"h"}, {"v"}}));
  EXPECT_EQ(out.lines, (std::vector<uint64_t>{1, 4}));
}

TEST_F(CsvReaderTest, EmptyFileHasNoRecords) {
  ReadOutcome out = read("");
  ASSERT_TRUE(out.status.ok()) << out.status.toString();
  EXPECT_TRUE(out.rows.empty());
}

TEST_F(CsvReaderTest, HeaderOnly) {
  ReadOutcome out = read("conceptType,conceptUri\r\n");
  ASSERT_TRUE(out.status.ok()) << out.status.toString();
  EXPECT_EQ(out.rows, (Rows{{"conceptType", "conceptUri"}}));
}

TEST_F(CsvReaderTest, UnterminatedQuoteNamesTheLineWhereTheFieldStarts) {
  std::string msg = readError("a,b\nc,\"never closed\nmore\nstill more\n");
  EXPECT_TRUE(contains(msg, "line 2:")) << msg;
  EXPECT_TRUE(contains(msg, "unterminated")) << msg;
}

TEST_F(CsvReaderTest, StrayQuoteInUnquotedField) {
  std::string msg = readError("a,b\nc,d\"e\n");
  EXPECT_TRUE(contains(msg, "line 2:")) << msg;
  EXPECT_TRUE(contains(msg, "stray quote")) << msg;
}

TEST_F(CsvReaderTest, TextAfterClosingQuote) {
  std::string msg = readError("a\n\"x\ny\"z,1\n");
  EXPECT_TRUE(contains(msg, "line 3:")) << msg;
  EXPECT_TRUE(contains(msg, "stray quote")) << msg;
}

TEST_F(CsvReaderTest, BareCarriageReturnOutsideQuotes) {
  std::string msg = readError("a\nb\rc\n");
  EXPECT_TRUE(contains(msg, "line 2:")) << msg;
}

TEST_F(CsvReaderTest, FieldAtLimitPassesAndOneMoreByteFails) {
  CsvLimits limits;
  limits.max_field_bytes = 8;
  ReadOutcome ok = read("h\n12345678\n\"1234\n678\"\n", limits);
  ASSERT_TRUE(ok.status.ok()) << ok.status.toString();
  EXPECT_EQ(ok.rows.size(), 3u);
  std::string msg = readError("h\nok\n123456789\n", limits);
  EXPECT_TRUE(contains(msg, "line 3:")) << msg;
  EXPECT_TRUE(contains(msg, "field longer than 8 bytes")) << msg;
  msg = readError("h\n\"1234\n5678\"\n", limits);  // quoted, with an escaped newline
  EXPECT_TRUE(contains(msg, "line 2:")) << msg;
}

TEST_F(CsvReaderTest, FieldsPerRecordAtLimitPassesAndOneMoreFails) {
  CsvLimits limits;
  limits.max_fields = 3;
  ReadOutcome ok = read("a,b,c\n,,\n", limits);
  ASSERT_TRUE(ok.status.ok()) << ok.status.toString();
  std::string msg = readError("a,b,c\n1,2,3\n,,,\n", limits);
  EXPECT_TRUE(contains(msg, "line 3:")) << msg;
  EXPECT_TRUE(contains(msg, "more than 3 fields")) << msg;
}

TEST_F(CsvReaderTest, RecordBytesAtLimitPassesAndOneMoreFails) {
  CsvLimits limits;
  limits.max_record_bytes = 6;
  ReadOutcome ok = read("abc,def\n", limits);
  ASSERT_TRUE(ok.status.ok()) << ok.status.toString();
  std::string msg = readError("ab\nabc,defg\n", limits);
  EXPECT_TRUE(contains(msg, "line 2:")) << msg;
  EXPECT_TRUE(contains(msg, "record longer than 6 bytes")) << msg;
}

TEST_F(CsvReaderTest, BrokenUtf8NamesTheLineInsideAMultilineField) {
  std::string msg = readError("h\n\"first\nsecond \xC3(\"\n");
  EXPECT_TRUE(contains(msg, "line 3:")) << msg;
  EXPECT_TRUE(contains(msg, "UTF-8")) << msg;
}

TEST_F(CsvReaderTest, RejectsOverlongSurrogateAndTruncatedSequences) {
  for (std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xFF"}) {
    std::string msg = readError("ok\nx" + bad + "\n");
    EXPECT_TRUE(contains(msg, "line 2:")) << msg;
  }
  ReadOutcome good = read("\xC3\xA9,\xE2\x82\xAC,\xF0\x9F\x98\x80,\xED\x9F\xBF\n");
  ASSERT_TRUE(good.status.ok()) << good.status.toString();
}

TEST_F(CsvReaderTest, ErrorIsFinal) {
  std::string path = dir_.file("bad.csv");
  writeFile(path, "\"x\ny\"z\nok\n");
  auto reader = CsvReader::open(path);
  ASSERT_TRUE(reader.ok());
  std::vector<std::string> fields;
  auto first = (*reader)->next(fields);
  ASSERT_FALSE(first.ok());
  auto second = (*reader)->next(fields);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(first.status().toString(), second.status().toString());
}

TEST_F(CsvReaderTest, OpenErrors) {
  auto missing = CsvReader::open(dir_.file("nope.csv"));
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().isNotFound());
  auto directory = CsvReader::open(dir_.path());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), Status::Code::kIOError);
}

// Random records with every awkward feature (quotes, doubled quotes, CR, LF, commas, multi-byte
// UTF-8), at least min_bytes long; expected receives the records.
std::string randomCsv(Rows& expected, bool crlf, size_t min_bytes = 3 << 20) {
  std::mt19937 rng(20240611);
  const std::vector<std::string> pieces = {"a", "bc", ",", "\"", "\n",  "\r\n",
                                           " ", "é",  "€", "😀",  "xyz", "0123456789"};
  std::string out;
  while (out.size() < min_bytes) {
    std::vector<std::string> row;
    size_t nfields = 1 + rng() % 6;
    for (size_t f = 0; f < nfields; ++f) {
      std::string value;
      size_t npieces = rng() % 8;
      for (size_t p = 0; p < npieces; ++p) value += pieces[rng() % pieces.size()];
      if (nfields == 1 && value.empty()) value = "x";  // an empty lone field is a blank line
      row.push_back(value);
      bool needs_quotes = value.find_first_of(",\"\r\n") != std::string::npos;
      if (f) out += ',';
      if (needs_quotes || rng() % 4 == 0) {
        out += '"';
        for (char c : value) {
          if (c == '"') out += '"';
          out += c;
        }
        out += '"';
      } else {
        out += value;
      }
    }
    out += crlf ? "\r\n" : "\n";
    expected.push_back(row);
  }
  return out;
}

TEST_F(CsvReaderTest, GzipAndPlainGiveEqualRecordsAcrossChunkBoundaries) {
  for (bool crlf : {false, true}) {
    Rows expected;
    std::string text = randomCsv(expected, crlf);
    writeFile(dir_.file("big.csv"), text);
    writeGzip(dir_.file("big.csv.gz"), text);
    ReadOutcome plain = readPath(dir_.file("big.csv"));
    ReadOutcome gz = readPath(dir_.file("big.csv.gz"));
    ASSERT_TRUE(plain.status.ok()) << plain.status.toString();
    ASSERT_TRUE(gz.status.ok()) << gz.status.toString();
    ASSERT_EQ(plain.rows.size(), expected.size());
    EXPECT_TRUE(plain.rows == expected);
    EXPECT_TRUE(gz.rows == expected);
    EXPECT_EQ(plain.lines, gz.lines);
  }
}

// Tiny reads put a chunk boundary inside every parser state, including between CR and LF and
// inside a doubled quote or a multi-byte character.
// Found by fuzz_csv_mapping: a first read that held exactly the byte order mark was taken for
// the end of the file, and the file read as empty.
TEST_F(CsvReaderTest, AFirstReadOfOnlyTheByteOrderMarkIsNotTheEnd) {
  const std::string path = dir_.file("bom.csv");
  writeFile(path, "\xEF\xBB\xBFh,i\r\nv,w\n");
  for (size_t read_bytes : {3, 4}) {
    ReadOutcome out = readPath(path, {}, read_bytes);
    ASSERT_TRUE(out.status.ok()) << out.status.toString();
    EXPECT_EQ(out.rows, (Rows{{"h", "i"}, {"v", "w"}})) << "read_bytes=" << read_bytes;
  }
}

TEST_F(CsvReaderTest, TinyReadsGiveEqualRecords) {
  for (bool crlf : {false, true}) {
    Rows expected;
    std::string text = randomCsv(expected, crlf, 64 << 10);
    writeGzip(dir_.file("small.csv.gz"), text);
    ReadOutcome whole = readPath(dir_.file("small.csv.gz"));
    ASSERT_TRUE(whole.status.ok()) << whole.status.toString();
    EXPECT_TRUE(whole.rows == expected);
    for (size_t read_bytes : {1, 2, 7, 4099}) {
      ReadOutcome small = readPath(dir_.file("small.csv.gz"), {}, read_bytes);
      ASSERT_TRUE(small.status.ok()) << small.status.toString();
      EXPECT_TRUE(small.rows == expected) << "read_bytes=" << read_bytes;
      EXPECT_EQ(small.lines, whole.lines) << "read_bytes=" << read_bytes;
    }
  }
}

TEST_F(CsvReaderTest, GzipIsDetectedByMagicNotName) {
  writeGzip(dir_.file("looks_plain.csv"), "a,b\n1,2\n");
  writeFile(dir_.file("looks_gzip.csv.gz"), "a,b\n1,2\n");
  EXPECT_EQ(readPath(dir_.file("looks_plain.csv")).rows, (Rows{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(readPath(dir_.file("looks_gzip.csv.gz")).rows, (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST_F(CsvReaderTest, ProgressReachesFileSize) {
  Rows expected;
  writeGzip(dir_.file("p.csv.gz"), randomCsv(expected, false, 1 << 20));
  auto reader = CsvReader::open(dir_.file("p.csv.gz"));
  ASSERT_TRUE(reader.ok());
  uint64_t size = std::filesystem::file_size(dir_.file("p.csv.gz"));
  EXPECT_EQ((*reader)->fileBytes(), size);
  std::vector<std::string> fields;
  uint64_t last = 0;
  for (;;) {
    auto more = (*reader)->next(fields);
    ASSERT_TRUE(more.ok()) << more.status().toString();
    if (!*more) break;
    EXPECT_GE((*reader)->bytesConsumed(), last);
    EXPECT_LE((*reader)->bytesConsumed(), size);
    last = (*reader)->bytesConsumed();
  }
  EXPECT_EQ((*reader)->bytesConsumed(), size);
}

TEST_F(CsvReaderTest, TruncatedGzipIsCorruption) {
  Rows expected;
  writeGzip(dir_.file("full.csv.gz"), randomCsv(expected, false, 1 << 20));
  std::ifstream in(dir_.file("full.csv.gz"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  writeFile(dir_.file("cut.csv.gz"), bytes.substr(0, bytes.size() / 2));
  ReadOutcome out = readPath(dir_.file("cut.csv.gz"));
  EXPECT_EQ(out.status.code(), Status::Code::kCorruption) << out.status.toString();
}

// The real ESCO export: every file parses with the default limits, with a constant field count.
TEST(CsvReaderEscoTest, ParsesEveryEscoFile) {
  std::string data = testing::sharedDataDir();
  if (data.empty()) {
    GTEST_SKIP() << "../shared/data is absent";
  }
  auto start = std::chrono::steady_clock::now();
  uint64_t total_rows = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data + "/esco")) {
    std::string path = entry.path().string();
    auto reader = CsvReader::open(path);
    ASSERT_TRUE(reader.ok()) << reader.status().toString();
    std::vector<std::string> fields;
    size_t columns = 0;
    bool hierarchy = contains(path, "skillsHierarchy");  // upstream drops trailing empties
    for (;;) {
      auto more = (*reader)->next(fields);
      ASSERT_TRUE(more.ok()) << path << ": " << more.status().toString();
      if (!*more) break;
      if (columns == 0) columns = fields.size();
      if (!hierarchy) {
        ASSERT_EQ(fields.size(), columns) << path << ":" << (*reader)->recordLine();
      }
      ++total_rows;
    }
    if (contains(path, "skills_en")) {
      EXPECT_EQ(columns, 13u);
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("read %llu ESCO rows (all files) in %.3f s\n",
              static_cast<unsigned long long>(total_rows), seconds);
  EXPECT_GT(total_rows, 170000u);
}

// A gzip bomb: 64 MiB of one repeated row in a file of about 100 KB is refused once 16 MiB of
// text are read, with the ratio named; the same rows plain, or a normal gzip file, read through.
TEST(CsvReaderLimitsTest, AGzipBombIsRefusedByItsExpansion) {
  testing::TempDir dir;
  std::string rows;
  while (rows.size() < (64u << 20)) rows += "aaaaaaaa,bbbbbbbb\n";
  writeGzip(dir.file("bomb.csv.gz"), rows);
  ReadOutcome bomb = readPath(dir.file("bomb.csv.gz"));
  EXPECT_EQ(bomb.status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(bomb.status.message().find("expands more than 200 times"), std::string::npos)
      << bomb.status.toString();
  EXPECT_LT(bomb.rows.size(), rows.size() / 18);  // stopped early

  CsvLimits small;
  small.max_text_bytes = 1 << 20;
  ReadOutcome capped = readPath(dir.file("bomb.csv.gz"), small);
  EXPECT_NE(capped.status.message().find("more than 1048576 bytes of text"), std::string::npos)
      << capped.status.toString();

  CsvLimits lenient;
  lenient.max_gzip_ratio = 100'000;
  EXPECT_TRUE(readPath(dir.file("bomb.csv.gz"), lenient).status.ok());
}

}  // namespace
}  // namespace eichub::csv
