// Collecting the Changes of one input file: strict or skip-bad error handling, duplicate keys,
// and the per-file report that the JSON Lines reader and the CSV importers return.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "federation/common/result.h"
#include "node/catalog/change.h"

namespace eichub::catalog {

inline constexpr size_t kMaxLineBytes = 1 << 20;       // a body is <= 256 KiB; JSON stays < 4x
inline constexpr size_t kMaxChangesPerFile = 1000000;  // one file's changes are held in memory
inline constexpr size_t kMaxReportedErrors = 1000;     // reasons kept; the count goes on

// What a reader does with a bad line or row.
enum class ErrorMode {
  kStrict,   // the first error fails the whole file and nothing is returned
  kSkipBad,  // a bad line is skipped and reported; the good ones are returned
};

struct LoadOptions {
  ErrorMode mode = ErrorMode::kStrict;
  size_t max_line_bytes = kMaxLineBytes;  // JSON Lines only; CSV rows have csv::CsvLimits
  size_t max_changes = kMaxChangesPerFile;
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

// Gathers the changes of one file. Duplicate rule: a (kind, id) seen before with the same op
// and byte-identical body is dropped and counted in `duplicates` (a provider repeated on every
// CSV row, a row listed twice); with different content it is an error naming the first line,
// because silently letting either line win would hide a mistake in the file.
// Not thread-safe; one reader owns it.
class ChangeCollector {
 public:
  // source names the file in errors ("leeds.jsonl").
  ChangeCollector(std::string source, const LoadOptions& options);

  // Takes the outcome of one line or row. Returns OK to go on; otherwise the reader stops and
  // returns that Status: InvalidArgument("source:line: reason") in kStrict mode, or
  // ResourceExhausted when the file holds more than max_changes changes (in either mode).
  Status add(uint64_t line, Result<Change> change);
  // add() for a line that failed before it became a Change.
  Status reject(uint64_t line, const Status& reason);

  // Counts one non-blank line or data row read.
  void countRead() { ++result_.read; }

  LoadResult take() && { return std::move(result_); }

 private:
  std::string source_;
  LoadOptions options_;
  LoadResult result_;
  // (kind, id) -> (first line, index in result_.changes)
  std::map<std::pair<int, std::string>, std::pair<uint64_t, size_t>> seen_;
};

}  // namespace eichub::catalog
