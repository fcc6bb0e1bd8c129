// Importing a vendor's CSV through a TOML column mapping (docs/catalogue-jsonl.md, "CSV
// mappings"): each row becomes one JSON object per [[record]], checked by changeFromJson.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/common/result.h"
#include "node/catalog/change_batch.h"

namespace eichub::import {

inline constexpr size_t kMaxMappingBytes = 1 << 20;  // a hand-written file, value tables included
inline constexpr size_t kMaxMappingRecords = 8;      // records per row: a resource, its provider

// A parsed mapping, made by loadCsvMapping or parseCsvMapping. Immutable, so importCsv may use
// one mapping on several threads at once. Move-only.
class CsvMapping {
 public:
  CsvMapping(CsvMapping&&) noexcept;
  CsvMapping& operator=(CsvMapping&&) noexcept;
  ~CsvMapping();

  // The JSON objects (one per [[record]], as an array) the mapping makes of one row, given the
  // header: for tests and dry runs. Errors: InvalidArgument as importCsv reports them.
  Result<nlohmann::json> renderRow(const std::vector<std::string>& header,
                                   const std::vector<std::string>& row) const;

  // The compiled mapping, defined in csv_mapping.cc: opaque to everyone else. The constructor
  // and accessor serve parseCsvMapping and importCsv.
  struct Impl;
  explicit CsvMapping(std::unique_ptr<const Impl> impl);
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<const Impl> impl_;
};

// Reads and checks the mapping at path. Errors: NotFound or IOError for the file;
// InvalidArgument("path: where: reason") for bad TOML, an unknown key, a bad template, a
// missing or unknown kind, a missing id, or a file over kMaxMappingBytes.
Result<CsvMapping> loadCsvMapping(const std::string& path);

// The same for mapping text; source names it in errors.
Result<CsvMapping> parseCsvMapping(std::string_view toml_text, const std::string& source);

// Imports the CSV (plain or gzip) at csv_path, whose first record is the header. Every column
// the mapping names must be in the header exactly once. Each data row gives one JSON object per
// [[record]], which changeFromJson turns into a Change; a row with any bad record is bad as a
// whole (the reason names the record's kind when there are several). options.mode decides
// between failing on the first bad row (kStrict) and skipping bad rows (kSkipBad); duplicate
// (kind, id) follow ChangeCollector's rule, so a provider repeated on every row is published
// once. LoadResult::read counts data rows.
// Errors: NotFound/IOError for the file; InvalidArgument ("path:line: reason") for a header
// without a mapped column, a bad row in kStrict mode, or a CSV syntax error (in either mode:
// the CSV reader cannot resynchronise after one); Corruption for a damaged gzip stream;
// ResourceExhausted over options.max_changes.
// Holds every change of the file: a large file is published with scanCsv instead.
Result<catalog::LoadResult> importCsv(const std::string& csv_path, const CsvMapping& mapping,
                                      const catalog::LoadOptions& options = {});

// The same reading, handing each row's changes (or its error) to sink as it is read and holding
// one row at a time; the sink judges strict or skip-bad, duplicates and counts. The CSV reader's
// limits (csv::CsvLimits: text bytes, gzip ratio) apply. Errors: the sink's, and importCsv's for
// the file, its header and its syntax.
Status scanCsv(const std::string& csv_path, const CsvMapping& mapping, catalog::ChangeSink& sink);

}  // namespace eichub::import
