// CsvReader: a streaming RFC 4180 reader for plain or gzip-compressed CSV files, with limits.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "federation/common/result.h"

namespace eichub::import {

struct CsvLimits {
  size_t max_field_bytes = 1 << 20;   // ESCO's hasTopConcept cells reach ~630 KB
  size_t max_fields = 512;            // columns per record
  size_t max_record_bytes = 4 << 20;  // one record, all fields
};

class CsvReader {
 public:
  // Opens path; gzip is recognised by its magic bytes, not by the file name.
  // Errors: NotFound, IOError.
  static Result<std::unique_ptr<CsvReader>> open(const std::string& path, CsvLimits limits = {});
  virtual ~CsvReader() = default;

  // Reads the next record into fields. Returns false at end of file. Errors: InvalidArgument
  // with the line number for an unterminated quote, a stray quote, a field or record over its
  // limit, or bytes that are not valid UTF-8. Handles CRLF and LF, and newlines inside quotes.
  virtual Result<bool> next(std::vector<std::string>& fields) = 0;
  // 1-based line number where the record last returned by next() starts.
  virtual uint64_t recordLine() const = 0;
  // Compressed bytes consumed so far and the file size, for progress reports.
  virtual uint64_t bytesConsumed() const = 0;
  virtual uint64_t fileBytes() const = 0;
};

}  // namespace eichub::import
