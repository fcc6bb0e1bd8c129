// Templates of a CSV mapping: "edx/{source_row}", "{language|language}", "{institution|slug}".
// Literal text with column references, each passed through zero or more filters.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "federation/common/result.h"

namespace eichub::import::internal {

// A value table from the mapping's [tables]: cell value -> output; the key "*", if present,
// gives the output for any other value.
using ValueTable = std::map<std::string, std::string, std::less<>>;

// What a template needs to compile: the mapping's tables, and the list of column names it
// appends to (a column's id is its index there).
struct TemplateScope {
  const std::map<std::string, size_t, std::less<>>* table_ids;  // table name -> index
  std::vector<std::string>* columns;
};

// One row as templates see it.
struct RowView {
  const std::vector<std::string>& fields;   // the CSV record
  const std::vector<size_t>& column_index;  // column id -> index into fields
  const std::vector<ValueTable>& tables;
  const std::vector<std::string>& columns;  // column id -> name, for messages
};

// Syntax: "{column}" inserts the cell, "{column|f|g}" passes it through filters f then g, and
// "{{" / "}}" are literal braces. A filter is a table name or a builtin: slug (lower-case ASCII
// letters and digits joined by "-", accents removed), lower, trim.
class Template {
 public:
  // Errors: InvalidArgument for an unclosed or stray brace, an empty column name or an unknown
  // filter.
  static Result<Template> compile(std::string_view text, const TemplateScope& scope);

  // Errors: InvalidArgument naming the column when a table has no entry for the cell.
  Result<std::string> render(const RowView& row) const;

  // True when the template has no column reference (its output is fixed).
  bool isLiteral() const {
    return segments_.size() <= 1 && (segments_.empty() || segments_[0].column < 0);
  }

 private:
  enum class FilterKind { kTable, kSlug, kLower, kTrim };
  struct Filter {
    FilterKind kind;
    size_t table = 0;  // for kTable
    std::string name;  // for messages
  };
  struct Segment {
    std::string literal;  // when column < 0
    int column = -1;
    std::vector<Filter> filters;
  };
  std::vector<Segment> segments_;
};

// The slug of s: accents removed, case folded, runs of anything but ASCII letters and digits
// turned into one "-", no "-" at either end ("Universitat Politècnica de València" ->
// "universitat-politecnica-de-valencia"). Letters outside ASCII are kept as they are.
std::string slugify(std::string_view s);

}  // namespace eichub::import::internal
