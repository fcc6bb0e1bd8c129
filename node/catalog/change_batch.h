// Collecting the Changes of one input file: strict or skip-bad error handling, duplicate keys,
// and the per-file report that the JSON Lines reader and the CSV importers return. The readers
// hand each line or row to a ChangeSink, so that a streaming import can check a file in one pass
// and publish it in a second without holding its changes (node/publish/stream_publish.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "federation/common/result.h"
#include "node/catalog/change.h"

namespace eichub::catalog {

inline constexpr size_t kMaxLineBytes = 1 << 20;  // a body is <= 256 KiB; JSON stays < 4x
// One file's (kind, id)s are held in memory (about 100 bytes each, with the first line and a
// digest of the content), and all its changes by the in-memory readers.
inline constexpr size_t kMaxChangesPerFile = 1000000;
// A JSON Lines file's bytes: a vendor's catalogue is a few hundred MB; read twice by a streaming
// publish, so a bigger one is split (CSV has csv::CsvLimits::max_text_bytes, the same value).
inline constexpr uint64_t kMaxJsonLinesBytes = 4ull << 30;
inline constexpr size_t kMaxReportedErrors = 1000;  // reasons kept; the count goes on

// What a reader does with a bad line or row.
enum class ErrorMode {
  kStrict,   // the first error fails the whole file and nothing is returned
  kSkipBad,  // a bad line is skipped and reported; the good ones are returned
};

struct LoadOptions {
  ErrorMode mode = ErrorMode::kStrict;
  size_t max_line_bytes = kMaxLineBytes;  // JSON Lines only; CSV rows have csv::CsvLimits
  size_t max_changes = kMaxChangesPerFile;
  uint64_t max_file_bytes = kMaxJsonLinesBytes;  // JSON Lines only
};

// The outcome of reading one file.
struct LoadResult {
  std::vector<Change> changes;      // in file order
  uint64_t read = 0;                // non-blank lines (JSON Lines) or data rows (CSV) read
  uint64_t skipped = 0;             // bad lines or rows (kSkipBad only)
  uint64_t duplicates = 0;          // repeats of an earlier (kind, id) with identical content
  std::vector<std::string> errors;  // "file:line: reason" per skipped line, the first
                                    // kMaxReportedErrors of them
};

// Where a reader hands each line or row it reads, in file order. A non-OK Status returned by
// add() or reject() stops the reader, which returns that Status.
class ChangeSink {
 public:
  virtual ~ChangeSink() = default;
  // One non-blank line or data row read.
  virtual void countRead() = 0;
  // The outcome of one line or row (a CSV row may give several changes, each added).
  virtual Status add(uint64_t line, Result<Change> change) = 0;
  // A line or row that failed before it became a Change.
  virtual Status reject(uint64_t line, const Status& reason) = 0;
};

// SHA-256 of a change's op and body: what the duplicate rule compares.
Hash32 contentDigest(const Change& change);

// The first line of each (kind, id) a file kept, and a digest of its content (contentDigest).
struct FirstLine {
  uint64_t line = 0;
  Hash32 digest{};
};
using FirstLines = std::map<std::pair<int, std::string>, FirstLine>;

// Gathers the changes of one file. Duplicate rule: a (kind, id) seen before with the same op
// and byte-identical body is dropped and counted in `duplicates` (a provider repeated on every
// CSV row, a row listed twice); with different content it is an error naming the first line,
// because silently letting either line win would hide a mistake in the file.
// Not thread-safe; one reader owns it.
class ChangeCollector : public ChangeSink {
 public:
  // Called with each change kept (not a duplicate, not bad), in file order; a non-OK Status
  // stops the reader.
  using KeepFn = std::function<Status(uint64_t line, Change change)>;

  // source names the file in errors ("leeds.jsonl"). Keeps the changes in LoadResult::changes.
  ChangeCollector(std::string source, const LoadOptions& options);
  // Hands each change kept to keep instead of holding it: LoadResult::changes stays empty.
  ChangeCollector(std::string source, const LoadOptions& options, KeepFn keep);

  // Returns OK to go on; otherwise the reader stops and returns that Status:
  // InvalidArgument("source:line: reason") in kStrict mode, ResourceExhausted when the file
  // holds more than max_changes changes (in either mode), or keep's error.
  Status add(uint64_t line, Result<Change> change) override;
  Status reject(uint64_t line, const Status& reason) override;
  void countRead() override { ++result_.read; }

  // The changes kept (when held) and the counts; firstLines() stays.
  LoadResult take() && { return std::move(result_); }
  // Each (kind, id) kept, with the line that gave it.
  const FirstLines& firstLines() const { return seen_; }
  // Changes kept so far.
  uint64_t kept() const { return kept_; }

 private:
  std::string source_;
  LoadOptions options_;
  KeepFn keep_;
  LoadResult result_;
  FirstLines seen_;
  uint64_t kept_ = 0;
};

}  // namespace eichub::catalog
