// CsvMapping: loading a TOML mapping (tables and [[record]] specs) and importing a CSV with it.
// Parsing of templates and specs is in internal/; validation of records is changeFromJson's.
#include "node/import/csv_mapping.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <system_error>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "node/catalog/record_json.h"
#include "node/csv/csv_reader.h"
#include "node/import/internal/mapping_spec.h"
#include "node/import/internal/mapping_template.h"

namespace eichub::import {

using internal::RowView;
using internal::Spec;
using internal::TemplateScope;
using internal::ValueTable;

struct CsvMapping::Impl {
  std::string source;
  std::vector<ValueTable> tables;
  std::map<std::string, size_t, std::less<>> table_ids;
  std::vector<std::string> columns;  // column id -> name
  std::vector<Spec> records;
  std::vector<std::string> kinds;  // per record, for messages

  // Maps each column id to its index in header. Errors: InvalidArgument when a column is
  // missing or appears twice.
  Result<std::vector<size_t>> bind(const std::vector<std::string>& header) const;
  // The Changes of one row, all or none.
  Result<std::vector<catalog::Change>> convert(const RowView& row) const;
};

namespace {

struct FileClose {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

Status loadTables(const toml::node* node, CsvMapping::Impl& impl) {
  if (node == nullptr) return Status::OK();
  const toml::table* tables = node->as_table();
  if (tables == nullptr) return Status::InvalidArgument("tables", "expected a table of tables");
  for (auto&& [name, value] : *tables) {
    std::string path = "tables." + std::string(name.str());
    const toml::table* table = value.as_table();
    if (table == nullptr) return Status::InvalidArgument(path, "expected a table");
    ValueTable out;
    for (auto&& [from, to] : *table) {
      if (!to.is_string()) {
        return Status::InvalidArgument(path + "." + std::string(from.str()), "expected a string");
      }
      out.emplace(std::string(from.str()), to.as_string()->get());
    }
    impl.table_ids.emplace(std::string(name.str()), impl.tables.size());
    impl.tables.push_back(std::move(out));
  }
  return Status::OK();
}

Status loadRecords(const toml::node* node, CsvMapping::Impl& impl) {
  const toml::array* records = node != nullptr ? node->as_array() : nullptr;
  if (records == nullptr || records->empty()) {
    return Status::InvalidArgument("record", "expected at least one [[record]]");
  }
  if (records->size() > kMaxMappingRecords) {
    return Status::InvalidArgument(
        "record", "more than " + std::to_string(kMaxMappingRecords) + " records per row");
  }
  TemplateScope scope{&impl.table_ids, &impl.columns};
  for (size_t i = 0; i < records->size(); ++i) {
    std::string path = "record[" + std::to_string(i) + "]";
    const toml::table* table = records->get(i)->as_table();
    if (table == nullptr) return Status::InvalidArgument(path, "expected a table");
    const toml::node* kind = table->get("kind");
    if (kind == nullptr || !kind->is_string() || !catalog::kindFromName(kind->as_string()->get())) {
      return Status::InvalidArgument(path + ".kind",
                                     "expected a record kind such as \"LearningResource\"");
    }
    if (!table->contains("id")) return Status::InvalidArgument(path + ".id", "missing");
    EICHUB_ASSIGN_OR_RETURN(Spec spec, internal::compileSpec(*table, path, scope));
    impl.kinds.push_back(kind->as_string()->get());
    impl.records.push_back(std::move(spec));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<size_t>> CsvMapping::Impl::bind(const std::vector<std::string>& header) const {
  std::vector<size_t> index(columns.size());
  for (size_t id = 0; id < columns.size(); ++id) {
    size_t found = 0;
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] != columns[id]) continue;
      index[id] = i;
      ++found;
    }
    if (found != 1) {
      return Status::InvalidArgument("header", "column \"" + columns[id] + "\" of " + source +
                                                   (found == 0 ? " is missing" : " appears twice"));
    }
  }
  return index;
}

Result<std::vector<catalog::Change>> CsvMapping::Impl::convert(const RowView& row) const {
  std::vector<catalog::Change> out;
  for (size_t i = 0; i < records.size(); ++i) {
    Result<nlohmann::json> obj = internal::renderSpec(records[i], row, "");
    Result<catalog::Change> change =
        obj.ok() ? catalog::changeFromJson(*obj) : Result<catalog::Change>(obj.status());
    if (!change.ok()) {
      return records.size() > 1 ? change.status().withContext(kinds[i]) : change.status();
    }
    out.push_back(std::move(change).value());
  }
  return out;
}

CsvMapping::CsvMapping(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
CsvMapping::CsvMapping(CsvMapping&&) noexcept = default;
CsvMapping& CsvMapping::operator=(CsvMapping&&) noexcept = default;
CsvMapping::~CsvMapping() = default;

Result<CsvMapping> parseCsvMapping(std::string_view toml_text, const std::string& source) {
  if (toml_text.size() > kMaxMappingBytes) {
    return Status::InvalidArgument(source,
                                   "larger than " + std::to_string(kMaxMappingBytes) + " bytes");
  }
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return Status::InvalidArgument(
        source + ":" + std::to_string(where.line) + ":" + std::to_string(where.column),
        std::string(e.description()));
  }
  auto impl = std::make_unique<CsvMapping::Impl>();
  impl->source = source;
  for (auto&& [key, value] : root) {
    if (key.str() != "tables" && key.str() != "record") {
      return Status::InvalidArgument(source + ": " + std::string(key.str()),
                                     "unknown key (a mapping has [tables] and [[record]])");
    }
  }
  Status st = loadTables(root.get("tables"), *impl);
  if (st.ok()) st = loadRecords(root.get("record"), *impl);
  if (!st.ok()) return st.withContext(source);
  return CsvMapping(std::move(impl));
}

Result<CsvMapping> loadCsvMapping(const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Status::NotFound(path);
    return Status::IOError(path, ec.message());
  }
  if (size > kMaxMappingBytes) {
    return Status::InvalidArgument(path,
                                   "larger than " + std::to_string(kMaxMappingBytes) + " bytes");
  }
  std::string text(size, '\0');
  std::unique_ptr<std::FILE, FileClose> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Status::IOError(path, std::strerror(errno));
  if (std::fread(text.data(), 1, text.size(), file.get()) != size) {
    return Status::IOError(path, "short read");
  }
  return parseCsvMapping(text, path);
}

Result<nlohmann::json> CsvMapping::renderRow(const std::vector<std::string>& header,
                                             const std::vector<std::string>& row) const {
  EICHUB_ASSIGN_OR_RETURN(std::vector<size_t> index, impl_->bind(header));
  if (row.size() != header.size()) return Status::InvalidArgument("row", "width differs");
  RowView view{row, index, impl_->tables, impl_->columns};
  nlohmann::json out = nlohmann::json::array();
  for (const Spec& spec : impl_->records) {
    EICHUB_ASSIGN_OR_RETURN(nlohmann::json obj, internal::renderSpec(spec, view, ""));
    out.push_back(std::move(obj));
  }
  return out;
}

Status scanCsv(const std::string& csv_path, const CsvMapping& mapping, catalog::ChangeSink& sink) {
  const CsvMapping::Impl& impl = mapping.impl();
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<csv::CsvReader> reader, csv::CsvReader::open(csv_path));
  std::vector<std::string> header;
  EICHUB_ASSIGN_OR_RETURN(bool has_header, reader->next(header));
  if (!has_header) return Status::InvalidArgument(csv_path, "empty file: no header row");
  Result<std::vector<size_t>> index = impl.bind(header);
  if (!index.ok())
    return index.status().withContext(csv_path + ":" + std::to_string(reader->recordLine()));
  std::vector<std::string> fields;
  for (;;) {
    Result<bool> more = reader->next(fields);
    if (!more.ok()) return more.status().withContext(csv_path);
    if (!*more) break;
    sink.countRead();
    uint64_t line = reader->recordLine();
    if (fields.size() != header.size()) {
      EICHUB_RETURN_IF_ERROR(sink.reject(
          line, Status::InvalidArgument(std::to_string(fields.size()) + " fields, the header has " +
                                        std::to_string(header.size()))));
      continue;
    }
    RowView row{fields, *index, impl.tables, impl.columns};
    Result<std::vector<catalog::Change>> changes = impl.convert(row);
    if (!changes.ok()) {
      EICHUB_RETURN_IF_ERROR(sink.reject(line, changes.status()));
      continue;
    }
    for (catalog::Change& change : *changes) {
      EICHUB_RETURN_IF_ERROR(sink.add(line, std::move(change)));
    }
  }
  return Status::OK();
}

Result<catalog::LoadResult> importCsv(const std::string& csv_path, const CsvMapping& mapping,
                                      const catalog::LoadOptions& options) {
  catalog::ChangeCollector collector(csv_path, options);
  EICHUB_RETURN_IF_ERROR(scanCsv(csv_path, mapping, collector));
  return std::move(collector).take();
}

}  // namespace eichub::import
