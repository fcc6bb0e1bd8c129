// CsvReader: a streaming RFC 4180 reader for plain or gzip-compressed CSV files, with limits.
// Every field is checked for valid UTF-8; every error names the line it was found on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "federation/common/result.h"

namespace eichub::csv {

// Bounds on one record, so that a hostile or broken file cannot make the reader grow without
// limit. The defaults fit every file of the ESCO v1.1.1 export.
struct CsvLimits {
  size_t max_field_bytes = 1 << 20;   // ESCO's hasTopConcept cells reach ~630 KB
  size_t max_fields = 512;            // columns per record; ESCO files have at most 14
  size_t max_record_bytes = 4 << 20;  // one record, all fields
  // The whole file's text (decompressed): ESCO's largest file is about 30 MB, a vendor's
  // catalogue export a few hundred.
  uint64_t max_text_bytes = 4ull << 30;
  // Text bytes per compressed byte of a gzip file, checked once gzip_ratio_check_bytes of text
  // are read: CSV text compresses 3-20 x; a gzip bomb (a few KB expanding to gigabytes) over
  // 1,000 x.
  uint64_t max_gzip_ratio = 200;
  uint64_t gzip_ratio_check_bytes = 16 << 20;
};

// Reads one file record by record. Not thread-safe: one thread uses a reader at a time.
// Owns its file handle, which is closed when the reader is destroyed.
class CsvReader {
 public:
  // Opens path; gzip is recognised by its magic bytes, not by the file name, and anything else
  // is read as plain text. A UTF-8 byte order mark at the start of the file is skipped.
  // Errors: NotFound when path does not exist, IOError when it cannot be opened or is not a
  // regular file.
  static Result<std::unique_ptr<CsvReader>> open(const std::string& path, CsvLimits limits = {});
  // open() with a tiny read size, so that tests put chunk boundaries inside every parser state.
  // A byte order mark is skipped only when read_bytes is at least 3.
  static Result<std::unique_ptr<CsvReader>> openForTest(const std::string& path, CsvLimits limits,
                                                        size_t read_bytes);
  virtual ~CsvReader() = default;

  // Reads the next record into fields (resized to the record's field count; the strings'
  // capacity is reused). Returns false at end of file. Blank lines are skipped. Handles CRLF
  // and LF line ends, and newlines and doubled quotes inside quoted fields.
  // Errors: InvalidArgument with "line N" for an unterminated quote, a stray quote, a bare CR
  // outside quotes, a field or record over its limit, too many fields, or bytes that are not
  // valid UTF-8, or a file over max_text_bytes or (gzip) max_gzip_ratio; Corruption for a
  // damaged or truncated gzip stream; IOError for a read error.
  // An error is final: later calls return it again.
  virtual Result<bool> next(std::vector<std::string>& fields) = 0;
  // 1-based line number where the record last returned by next() starts.
  virtual uint64_t recordLine() const = 0;
  // Bytes of the file (compressed, for gzip) consumed so far, and the file's size: for
  // progress reports. bytesConsumed() reaches fileBytes() at end of file.
  virtual uint64_t bytesConsumed() const = 0;
  virtual uint64_t fileBytes() const = 0;
};

}  // namespace eichub::csv
