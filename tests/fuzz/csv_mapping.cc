// Fuzz target: a vendor CSV file through a TOML column mapping (node/import/csv_mapping and
// node/csv/csv_reader), as `eichub import csv --mapping` reads them. The input is the mapping,
// then the CSV (plain or gzip), split as fuzz_input.h says.
// Properties: the CSV reader returns the same records and the same error whatever its read
// size (chunk boundaries fall inside every parser state); every row is counted once; every
// change is sound (change_checks.h).
#include "node/import/csv_mapping.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "federation/common/check.h"
#include "node/csv/csv_reader.h"
#include "tests/fuzz/change_checks.h"
#include "tests/fuzz/fuzz_input.h"

using namespace eichub;

namespace {

struct CsvOutcome {
  std::vector<std::vector<std::string>> records;
  std::string error;  // empty when the file was read to its end
};

CsvOutcome readAll(Result<std::unique_ptr<csv::CsvReader>> opened) {
  EICHUB_CHECK(opened.ok()) << opened.status().toString();
  CsvOutcome out;
  std::vector<std::string> fields;
  for (;;) {
    auto more = (*opened)->next(fields);
    if (!more.ok()) {
      out.error = more.status().toString();
      return out;
    }
    if (!*more) return out;
    out.records.push_back(fields);
  }
}

// The chunked reader must agree with the default one: same records, same error.
void checkCsvReader(const std::string& path, size_t read_bytes) {
  CsvOutcome whole = readAll(csv::CsvReader::open(path));
  CsvOutcome chunked = readAll(csv::CsvReader::openForTest(path, csv::CsvLimits{}, read_bytes));
  EICHUB_CHECK(whole.error == chunked.error)
      << "read size " << read_bytes << " changes the error: '" << whole.error << "' vs '"
      << chunked.error << "'";
  EICHUB_CHECK(whole.records == chunked.records)
      << "read size " << read_bytes << " changes the records";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = fuzz::splitParts(fuzz::asText(data, size), 2);
  fuzz::MemFile csv_file(parts[1]);
  // Sizes of 3 and more also exercise the byte order mark check across a chunk boundary.
  checkCsvReader(csv_file.path(), 3 + size % 5);

  auto mapping = import::parseCsvMapping(parts[0], "fuzz.toml");
  if (!mapping.ok()) {
    EICHUB_CHECK(mapping.status().code() == Status::Code::kInvalidArgument);
    return 0;
  }
  catalog::LoadOptions options;
  options.mode = catalog::ErrorMode::kSkipBad;
  auto imported = import::importCsv(csv_file.path(), *mapping, options);
  if (!imported.ok()) return 0;  // a header without a mapped column, or a CSV syntax error
  EICHUB_CHECK(imported->read >= imported->skipped);
  for (const catalog::Change& change : imported->changes) fuzz::checkChange(change);
  return 0;
}
