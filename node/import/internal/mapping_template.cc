// Template compilation and rendering for CSV mappings, and the builtin filters.
// slug uses utf8proc to strip accents and fold case.
#include "node/import/internal/mapping_template.h"

#include <cstdlib>
#include <memory>

#include <utf8proc.h>

namespace eichub::import::internal {

namespace {

struct FreeDeleter {
  void operator()(utf8proc_uint8_t* p) const noexcept { std::free(p); }
};

bool isAsciiAlnum(utf8proc_int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string trimmed(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return "";
  return std::string(s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1));
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string slugify(std::string_view s) {
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n = utf8proc_map(
      reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()),
      &mapped,
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD));
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(mapped);
  if (n < 0) return "";  // not UTF-8; the CSV reader has already rejected such cells
  std::string out;
  bool pending_dash = false;
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(mapped + i, n - i, &cp);
    if (len <= 0) break;
    utf8proc_category_t cat = utf8proc_category(cp);
    bool keep = isAsciiAlnum(cp) ||
                (cp >= 0x80 && cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO);
    if (keep) {
      if (pending_dash && !out.empty()) out.push_back('-');
      pending_dash = false;
      out.append(reinterpret_cast<const char*>(mapped + i), static_cast<size_t>(len));
    } else {
      pending_dash = true;
    }
    i += len;
  }
  return out;
}

Result<Template> Template::compile(std::string_view text, const TemplateScope& scope) {
  Template t;
  std::string literal;
  auto flushLiteral = [&] {
    if (!literal.empty()) t.segments_.push_back(Segment{std::move(literal), -1, {}});
    literal.clear();
  };
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      literal.push_back(c);
      i += 2;
      continue;
    }
    if (c == '}') return Status::InvalidArgument("stray \"}\" (write \"}}\" for a brace)");
    if (c != '{') {
      literal.push_back(c);
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unclosed \"{\" (write \"{{\" for a brace)");
    }
    std::string_view inner = text.substr(i + 1, close - i - 1);
    i = close + 1;
    Segment seg;
    size_t bar = inner.find('|');
    std::string name(inner.substr(0, bar));
    if (name.empty()) return Status::InvalidArgument("empty column name in \"{}\"");
    while (bar != std::string_view::npos) {
      size_t next = inner.find('|', bar + 1);
      std::string filter(
          inner.substr(bar + 1, next == std::string_view::npos ? next : next - bar - 1));
      bar = next;
      if (auto it = scope.table_ids->find(filter); it != scope.table_ids->end()) {
        seg.filters.push_back({FilterKind::kTable, it->second, filter});
      } else if (filter == "slug") {
        seg.filters.push_back({FilterKind::kSlug, 0, filter});
      } else if (filter == "lower") {
        seg.filters.push_back({FilterKind::kLower, 0, filter});
      } else if (filter == "trim") {
        seg.filters.push_back({FilterKind::kTrim, 0, filter});
      } else {
        return Status::InvalidArgument("unknown filter \"" + filter +
                                       "\" (a [tables] name, slug, lower or trim)");
      }
    }
    size_t id = 0;
    while (id < scope.columns->size() && (*scope.columns)[id] != name) ++id;
    if (id == scope.columns->size()) scope.columns->push_back(name);
    seg.column = static_cast<int>(id);
    flushLiteral();
    t.segments_.push_back(std::move(seg));
  }
  flushLiteral();
  return t;
}

Result<std::string> Template::render(const RowView& row) const {
  std::string out;
  for (const Segment& seg : segments_) {
    if (seg.column < 0) {
      out += seg.literal;
      continue;
    }
    auto column = static_cast<size_t>(seg.column);
    std::string value = row.fields[row.column_index[column]];
    for (const Filter& f : seg.filters) {
      switch (f.kind) {
        case FilterKind::kTable: {
          const ValueTable& table = row.tables[f.table];
          auto it = table.find(value);
          if (it == table.end()) it = table.find("*");
          if (it == table.end()) {
            return Status::InvalidArgument("column \"" + row.columns[column] + "\"",
                                           "\"" + value + "\" is not in table \"" + f.name + "\"");
          }
          value = it->second;
          break;
        }
        case FilterKind::kSlug:
          value = slugify(value);
          break;
        case FilterKind::kLower:
          value = lowered(value);
          break;
        case FilterKind::kTrim:
          value = trimmed(value);
          break;
      }
    }
    out += value;
  }
  return out;
}

}  // namespace eichub::import::internal
