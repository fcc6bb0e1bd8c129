// ESCO importer: label files per language and language-neutral relation files, joined on
// concept uris into one record per concept; lists are sorted so that bodies are deterministic.
#include "node/import/esco_importer.h"

#include <algorithm>
#include <cctype>
#include <compare>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <set>
#include <system_error>
#include <unordered_map>
#include <utility>

#include <capnp/message.h>
#include <kj/exception.h>

namespace eichub::import {
namespace {

constexpr size_t kMaxLanguages = 64;           // ESCO publishes 28; one bit each in seen_in
constexpr uint64_t kProgressEveryRows = 4096;  // smooth enough for a progress bar, and cheap
constexpr size_t kScratchWords = 32 * 1024;    // 256 KiB: the largest record (kMaxBodyBytes)

using schema::Relation;

struct LangText {
  std::string lang;
  std::string text;
  auto operator<=>(const LangText&) const = default;  // by language, then text
};

struct Link {
  std::string uri;
  Relation relation = Relation::ESSENTIAL;
  auto operator<=>(const Link&) const = default;  // by uri, then relation
};

// Everything known about one concept, gathered from all files before its record is built.
struct Concept {
  uint64_t seen_in = 0;  // bit i: a row for it in the label file of language i
  std::string skill_type, reuse_level, status, code, isco_group;
  std::vector<LangText> pref, alt, desc;
  std::vector<std::string> broader;
  std::vector<Link> links;  // related skills of a Skill, skills of an Occupation
};
using Concepts = std::unordered_map<std::string, Concept>;

enum class Pillar { kSkill, kSkillGroup, kOccupation, kOccupationGroup };

struct EscoFile {
  std::string name;  // e.g. skills_en.csv.gz
  std::string path;
  uint64_t bytes = 0;
};

// One data row, with the columns a reader asked for in the order it asked.
struct Row {
  const std::vector<std::string>& fields;
  const std::vector<size_t>& columns;
  uint64_t line;
  const std::string& operator[](size_t i) const { return fields[columns[i]]; }
};

bool isLanguageTag(std::string_view s) {
  if (s.size() < 2 || s.size() > 12 || !std::isalpha(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

// Strips ".csv" or ".csv.gz"; false for any other name.
bool stripCsvSuffix(std::string& name) {
  for (std::string_view suffix : {".csv.gz", ".csv"}) {
    if (name.size() > suffix.size() && name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      return true;
    }
  }
  return false;
}

constexpr std::string_view kLabelPrefixes[] = {"skills_", "skillGroups_", "occupations_",
                                               "ISCOGroups_"};

Result<std::vector<std::string>> detectLanguages(const std::string& dir) {
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return Status::NotFound(dir, ec.message());
    return Status::IOError(dir, ec.message());
  }
  std::set<std::string> languages;
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (!stripCsvSuffix(name)) continue;
    for (std::string_view prefix : kLabelPrefixes) {
      if (name.starts_with(prefix) && isLanguageTag(name.substr(prefix.size()))) {
        languages.insert(name.substr(prefix.size()));
      }
    }
  }
  if (languages.empty()) {
    return Status::NotFound(dir, "no ESCO label file (skills_<lang>.csv or .csv.gz)");
  }
  if (languages.size() > kMaxLanguages) {
    return Status::InvalidArgument(
        dir, "more than " + std::to_string(kMaxLanguages) + " label languages");
  }
  return std::vector<std::string>(languages.begin(), languages.end());
}

// Finds base.csv or base.csv.gz in dir; exactly one must exist.
Result<EscoFile> locate(const std::string& dir, const std::string& base) {
  std::vector<EscoFile> found;
  for (const char* suffix : {".csv", ".csv.gz"}) {
    EscoFile file{base + suffix, dir + "/" + base + suffix, 0};
    std::error_code ec;
    if (std::filesystem::is_regular_file(file.path, ec)) {
      file.bytes = std::filesystem::file_size(file.path, ec);
      if (ec) return Status::IOError(file.path, ec.message());
      found.push_back(std::move(file));
    }
  }
  if (found.empty()) return Status::NotFound(dir + "/" + base + ".csv(.gz)", "missing");
  if (found.size() > 1) {
    return Status::InvalidArgument(dir, "both " + base + ".csv and " + base + ".csv.gz; keep one");
  }
  return std::move(found[0]);
}

std::string trimmed(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return "";
  return std::string(s.substr(begin, s.find_last_not_of(kSpace) + 1 - begin));
}

void addLabel(std::vector<LangText>& out, const std::string& lang, std::string_view text) {
  std::string label = trimmed(text);
  if (!label.empty()) out.push_back({lang, std::move(label)});
}

void keepFirst(std::string& field, const std::string& value) {
  if (field.empty()) field = value;
}

template <typename T>
void sortUnique(std::vector<T>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

capnp::Text::Reader text(const std::string& s) { return {s.data(), s.size()}; }

void fillTexts(capnp::List<schema::LangText>::Builder list, const std::vector<LangText>& texts) {
  for (size_t i = 0; i < texts.size(); ++i) {
    list[static_cast<unsigned>(i)].setLang(text(texts[i].lang));
    list[static_cast<unsigned>(i)].setText(text(texts[i].text));
  }
}

void fillLinks(capnp::List<schema::SkillRef>::Builder list, const std::vector<Link>& links) {
  for (size_t i = 0; i < links.size(); ++i) {
    list[static_cast<unsigned>(i)].setSkill(text(links[i].uri));
    list[static_cast<unsigned>(i)].setRelation(links[i].relation);
  }
}

// The fields every pillar's struct shares.
template <typename Builder>
void fillCommon(Builder b, const std::string& uri, const Concept& c) {
  b.setUri(text(uri));
  fillTexts(b.initPrefLabel(static_cast<unsigned>(c.pref.size())), c.pref);
  fillTexts(b.initAltLabels(static_cast<unsigned>(c.alt.size())), c.alt);
  fillTexts(b.initDescription(static_cast<unsigned>(c.desc.size())), c.desc);
  auto broader = b.initBroader(static_cast<unsigned>(c.broader.size()));
  for (size_t i = 0; i < c.broader.size(); ++i) {
    broader.set(static_cast<unsigned>(i), text(c.broader[i]));
  }
}

// scratch is the builder's first segment, reused from record to record: it must be all zeros,
// and MallocMessageBuilder zeroes what it used when it is destroyed.
Result<catalog::Change> buildChange(Pillar pillar, const std::string& uri, Concept& c,
                                    std::vector<capnp::word>& scratch) {
  sortUnique(c.pref);
  sortUnique(c.alt);
  sortUnique(c.desc);
  sortUnique(c.broader);
  sortUnique(c.links);
  try {
    capnp::MallocMessageBuilder message(kj::arrayPtr(scratch.data(), scratch.size()));
    auto record = message.initRoot<schema::Record>();
    switch (pillar) {
      case Pillar::kSkill: {
        auto s = record.initSkill();
        fillCommon(s, uri, c);
        s.setSkillType(text(c.skill_type));
        s.setReuseLevel(text(c.reuse_level));
        s.setStatus(text(c.status));
        fillLinks(s.initRelated(static_cast<unsigned>(c.links.size())), c.links);
        break;
      }
      case Pillar::kSkillGroup: {
        auto g = record.initSkillGroup();
        fillCommon(g, uri, c);
        g.setCode(text(c.code));
        break;
      }
      case Pillar::kOccupation: {
        auto o = record.initOccupation();
        fillCommon(o, uri, c);
        o.setCode(text(c.code));
        o.setIscoGroup(text(c.isco_group));
        fillLinks(o.initSkills(static_cast<unsigned>(c.links.size())), c.links);
        break;
      }
      case Pillar::kOccupationGroup: {
        auto g = record.initOccupationGroup();
        fillCommon(g, uri, c);
        g.setCode(text(c.code));
        break;
      }
    }
    auto change = catalog::changeFromRecord(record.asReader());
    if (!change.ok()) return change.status().withContext(uri);
    return change;
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument(uri, e.getDescription().cStr());
  }
}

// One import: the files read so far, the concepts gathered, and the summary.
class EscoImporter {
 public:
  EscoImporter(std::string dir, const EscoImportOptions& options)
      : dir_(std::move(dir)), options_(options) {}
  Result<EscoImport> run();

 private:
  using RowHandler = std::function<Status(const Row&)>;
  Status readTable(const EscoFile& file, std::initializer_list<std::string_view> columns,
                   const RowHandler& on_row);
  Status readLabels(const EscoFile& file, size_t lang_index, Pillar pillar);
  Status readBroader(const EscoFile& file, Concepts& first, Concepts& second,
                     const char* skip_reason);
  Status readLinks(const EscoFile& file, std::initializer_list<std::string_view> columns,
                   Concepts& sources, const Concepts& targets, const char* skip_reason);
  void skip(const EscoFile& file, const char* reason, uint64_t line);
  void reportProgress(uint64_t current_file_bytes);
  Concepts& concepts(Pillar pillar);

  std::string dir_;
  const EscoImportOptions& options_;
  Concepts skills_, skill_groups_, occupations_, occupation_groups_;
  EscoImportSummary summary_;
  std::map<std::pair<std::string, std::string>, size_t> skip_index_;  // (file, reason)
  uint64_t bytes_total_ = 0;
  uint64_t bytes_done_ = 0;  // files finished
};

Concepts& EscoImporter::concepts(Pillar pillar) {
  switch (pillar) {
    case Pillar::kSkill:
      return skills_;
    case Pillar::kSkillGroup:
      return skill_groups_;
    case Pillar::kOccupation:
      return occupations_;
    case Pillar::kOccupationGroup:
      return occupation_groups_;
  }
  return skills_;  // unreachable: every Pillar is handled above
}

void EscoImporter::reportProgress(uint64_t current_file_bytes) {
  if (options_.progress) options_.progress(bytes_done_ + current_file_bytes, bytes_total_);
}

void EscoImporter::skip(const EscoFile& file, const char* reason, uint64_t line) {
  auto [it, inserted] = skip_index_.try_emplace({file.name, reason}, summary_.skipped.size());
  if (inserted) summary_.skipped.push_back({file.name, reason, 0, line});
  ++summary_.skipped[it->second].rows;
}

Status EscoImporter::readTable(const EscoFile& file,
                               std::initializer_list<std::string_view> columns,
                               const RowHandler& on_row) {
  auto opened = csv::CsvReader::open(file.path, options_.limits);
  if (!opened.ok()) return opened.status();
  csv::CsvReader& reader = **opened;
  summary_.files.push_back({file.name, 0, 0});
  std::vector<std::string> fields;
  auto more = reader.next(fields);
  if (!more.ok()) return more.status().withContext(file.name);
  if (!*more) return Status::InvalidArgument(file.name, "empty file, expected a header");
  const size_t header_size = fields.size();
  std::vector<size_t> index;
  for (std::string_view column : columns) {
    auto at = std::find(fields.begin(), fields.end(), column);
    if (at == fields.end()) {
      return Status::InvalidArgument(file.name + ": line 1",
                                     "missing column '" + std::string(column) + "'");
    }
    index.push_back(static_cast<size_t>(at - fields.begin()));
  }
  for (uint64_t rows = 1;; ++rows) {
    more = reader.next(fields);
    if (!more.ok()) return more.status().withContext(file.name);
    if (!*more) break;
    auto where = [&] { return file.name + ": line " + std::to_string(reader.recordLine()); };
    if (fields.size() > header_size) {
      return Status::InvalidArgument(where(), std::to_string(fields.size()) +
                                                  " fields but the header has " +
                                                  std::to_string(header_size));
    }
    fields.resize(header_size);  // upstream ESCO leaves out trailing empty fields
    ++summary_.files.back().rows;
    if (Status s = on_row(Row{fields, index, reader.recordLine()}); !s.ok()) {
      return s.withContext(where());
    }
    if (rows % kProgressEveryRows == 0) reportProgress(reader.bytesConsumed());
  }
  bytes_done_ += reader.fileBytes();
  reportProgress(0);
  return Status::OK();
}

Status EscoImporter::readLabels(const EscoFile& file, size_t lang_index, Pillar pillar) {
  const std::string& lang = summary_.languages[lang_index];
  Concepts& all = concepts(pillar);
  const uint64_t bit = uint64_t{1} << lang_index;
  auto common = [&](const Row& row) -> Result<Concept*> {
    if (row[0].empty()) return Status::InvalidArgument("empty conceptUri");
    Concept& c = all[row[0]];
    if (c.seen_in & bit) return Status::InvalidArgument("duplicate conceptUri " + row[0]);
    c.seen_in |= bit;
    addLabel(c.pref, lang, row[1]);
    std::string_view alt = row[2];
    for (size_t start = 0; start <= alt.size();) {
      size_t end = std::min(alt.find('\n', start), alt.size());
      addLabel(c.alt, lang, alt.substr(start, end - start));
      start = end + 1;
    }
    if (!row[3].empty()) c.desc.push_back({lang, row[3]});
    return &c;
  };
  switch (pillar) {
    case Pillar::kSkill:
      return readTable(file,
                       {"conceptUri", "preferredLabel", "altLabels", "description", "skillType",
                        "reuseLevel", "status"},
                       [&](const Row& row) -> Status {
                         EICHUB_ASSIGN_OR_RETURN(Concept * c, common(row));
                         keepFirst(c->skill_type, row[4]);
                         keepFirst(c->reuse_level, row[5]);
                         keepFirst(c->status, row[6]);
                         return Status::OK();
                       });
    case Pillar::kOccupation:
      return readTable(
          file, {"conceptUri", "preferredLabel", "altLabels", "description", "code", "iscoGroup"},
          [&](const Row& row) -> Status {
            EICHUB_ASSIGN_OR_RETURN(Concept * c, common(row));
            keepFirst(c->code, row[4]);
            keepFirst(c->isco_group, row[5]);
            return Status::OK();
          });
    case Pillar::kSkillGroup:
    case Pillar::kOccupationGroup:
      return readTable(file, {"conceptUri", "preferredLabel", "altLabels", "description", "code"},
                       [&](const Row& row) -> Status {
                         EICHUB_ASSIGN_OR_RETURN(Concept * c, common(row));
                         keepFirst(c->code, row[4]);
                         return Status::OK();
                       });
  }
  return Status::OK();
}

Status EscoImporter::readBroader(const EscoFile& file, Concepts& first, Concepts& second,
                                 const char* skip_reason) {
  return readTable(file, {"conceptUri", "broaderUri"}, [&](const Row& row) -> Status {
    if (row[0].empty()) return Status::InvalidArgument("empty conceptUri");
    if (row[1].empty()) return Status::InvalidArgument("empty broaderUri");
    auto in_first = first.find(row[0]);
    auto in_second = second.find(row[0]);
    Concept* child = in_first != first.end()     ? &in_first->second
                     : in_second != second.end() ? &in_second->second
                                                 : nullptr;
    if (!child) {
      skip(file, skip_reason, row.line);
      return Status::OK();
    }
    if (!first.contains(row[1]) && !second.contains(row[1])) {
      ++summary_.files.back().unresolved_links;
    }
    child->broader.push_back(row[1]);
    return Status::OK();
  });
}

Status EscoImporter::readLinks(const EscoFile& file,
                               std::initializer_list<std::string_view> columns, Concepts& sources,
                               const Concepts& targets, const char* skip_reason) {
  std::vector<std::string> names(columns.begin(), columns.end());  // source, relation, target
  return readTable(file, columns, [&](const Row& row) -> Status {
    for (size_t i : {0, 2}) {
      if (row[i].empty()) return Status::InvalidArgument("empty " + names[i]);
    }
    Relation relation;
    if (row[1] == "essential") {
      relation = Relation::ESSENTIAL;
    } else if (row[1] == "optional") {
      relation = Relation::OPTIONAL;
    } else {
      return Status::InvalidArgument(names[1] + " '" + row[1] + "' is not essential or optional");
    }
    auto source = sources.find(row[0]);
    if (source == sources.end()) {
      skip(file, skip_reason, row.line);
      return Status::OK();
    }
    if (!targets.contains(row[2])) ++summary_.files.back().unresolved_links;
    source->second.links.push_back({row[2], relation});
    return Status::OK();
  });
}

Result<EscoImport> EscoImporter::run() {
  EICHUB_ASSIGN_OR_RETURN(summary_.languages, detectLanguages(dir_));
  struct Step {
    EscoFile file;
    size_t lang_index;
    Pillar pillar;
  };
  std::vector<Step> label_steps;
  constexpr std::pair<std::string_view, Pillar> kLabelFiles[] = {
      {"skills_", Pillar::kSkill},
      {"skillGroups_", Pillar::kSkillGroup},
      {"occupations_", Pillar::kOccupation},
      {"ISCOGroups_", Pillar::kOccupationGroup}};
  for (size_t l = 0; l < summary_.languages.size(); ++l) {
    for (const auto& [prefix, pillar] : kLabelFiles) {
      EICHUB_ASSIGN_OR_RETURN(EscoFile file,
                              locate(dir_, std::string(prefix) + summary_.languages[l]));
      bytes_total_ += file.bytes;
      label_steps.push_back({std::move(file), l, pillar});
    }
  }
  std::vector<EscoFile> relation_files;
  for (const char* base : {"broaderRelationsSkillPillar", "broaderRelationsOccPillar",
                           "skillSkillRelations", "occupationSkillRelations"}) {
    EICHUB_ASSIGN_OR_RETURN(EscoFile file, locate(dir_, base));
    bytes_total_ += file.bytes;
    relation_files.push_back(std::move(file));
  }
  reportProgress(0);

  for (const Step& step : label_steps) {
    EICHUB_RETURN_IF_ERROR(readLabels(step.file, step.lang_index, step.pillar));
  }
  EICHUB_RETURN_IF_ERROR(readBroader(relation_files[0], skills_, skill_groups_,
                                     "concept in neither skills nor skillGroups"));
  EICHUB_RETURN_IF_ERROR(readBroader(relation_files[1], occupations_, occupation_groups_,
                                     "concept in neither occupations nor ISCOGroups"));
  EICHUB_RETURN_IF_ERROR(readLinks(relation_files[2],
                                   {"originalSkillUri", "relationType", "relatedSkillUri"}, skills_,
                                   skills_, "original skill not in skills"));
  EICHUB_RETURN_IF_ERROR(readLinks(relation_files[3], {"occupationUri", "relationType", "skillUri"},
                                   occupations_, skills_, "occupation not in occupations"));

  EscoImport out;
  std::vector<capnp::word> scratch(kScratchWords);  // value-initialised: zeros
  constexpr Pillar kOrder[] = {Pillar::kSkill, Pillar::kSkillGroup, Pillar::kOccupation,
                               Pillar::kOccupationGroup};
  uint64_t* counts[] = {&summary_.skills, &summary_.skill_groups, &summary_.occupations,
                        &summary_.occupation_groups};
  for (size_t k = 0; k < std::size(kOrder); ++k) {
    Concepts& all = concepts(kOrder[k]);
    std::vector<const std::string*> uris;
    uris.reserve(all.size());
    for (const auto& entry : all) uris.push_back(&entry.first);
    std::sort(uris.begin(), uris.end(), [](auto* a, auto* b) { return *a < *b; });
    for (const std::string* uri : uris) {
      EICHUB_ASSIGN_OR_RETURN(catalog::Change change,
                              buildChange(kOrder[k], *uri, all[*uri], scratch));
      out.changes.push_back(std::move(change));
    }
    *counts[k] = uris.size();
    all.clear();  // the bodies hold everything now
  }
  out.summary = std::move(summary_);
  return out;
}

}  // namespace

Result<EscoImport> importEsco(const std::string& dir, const EscoImportOptions& options) {
  return EscoImporter(dir, options).run();
}

}  // namespace eichub::import
