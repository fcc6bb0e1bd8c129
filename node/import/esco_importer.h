// ESCO importer: reads an ESCO v1.1 CSV export directory into catalogue Changes.
// Label files per language plus the language-neutral relation files, joined on concept uris.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "federation/common/result.h"
#include "node/catalog/change.h"
#include "node/csv/csv_reader.h"

namespace eichub::import {

// The attribution ESCO's reuse policy (Commission Decision 2011/833/EU) asks for wherever ESCO
// data is shown.
inline constexpr std::string_view kEscoAttribution =
    "This service uses the ESCO classification of the European Commission.";

// Progress: bytes of the input files read so far (compressed bytes for .gz files) and the
// total size of the files the import reads. Called on the importing thread.
using EscoProgress = std::function<void(uint64_t bytes_done, uint64_t bytes_total)>;

struct EscoImportOptions {
  csv::CsvLimits limits;  // applied to every file
  EscoProgress progress;  // may be empty
};

// What the import read from one file.
struct EscoFileStats {
  std::string file;               // file name within the directory
  uint64_t rows = 0;              // data rows, header not counted
  uint64_t unresolved_links = 0;  // links kept although their target is in no file read
};

// Rows that were read but not used, grouped by file and reason.
struct EscoSkipped {
  std::string file;
  std::string reason;
  uint64_t rows = 0;
  uint64_t first_line = 0;  // line of the first such row
};

struct EscoImportSummary {
  std::vector<std::string> languages;  // label languages found, sorted, e.g. {"de", "en"}
  std::vector<EscoFileStats> files;    // in the order they were read
  uint64_t skills = 0;
  uint64_t skill_groups = 0;
  uint64_t occupations = 0;
  uint64_t occupation_groups = 0;
  std::vector<EscoSkipped> skipped;
};

struct EscoImport {
  // Upserts ordered by kind (Skill, SkillGroup, Occupation, OccupationGroup), then by uri.
  std::vector<catalog::Change> changes;
  EscoImportSummary summary;
};

// Reads the ESCO CSV export in dir. Each file may be plain (name.csv) or gzip (name.csv.gz).
// Label languages are found from the file names (skills_<lang>, occupations_<lang>,
// skillGroups_<lang>, ISCOGroups_<lang>); for every language found all four label files must
// be present, and so must broaderRelationsSkillPillar, broaderRelationsOccPillar,
// skillSkillRelations and occupationSkillRelations. Columns are found by header name.
//
// Records: one Skill, SkillGroup, Occupation or OccupationGroup per conceptUri. Labels are
// trimmed of surrounding whitespace; altLabels are split at newlines. Lists are sorted and
// free of duplicates (texts by language then text, links by uri then relation), so the same
// files always give byte-identical bodies. Language-neutral fields (skillType, reuseLevel,
// status, code, iscoGroup) come from the first language, in sorted order, that has a value.
// A relation row whose source concept is unknown is skipped and counted in summary.skipped;
// a link to an unknown target is kept and counted in unresolved_links.
//
// Errors: NotFound when dir or a required file is missing; InvalidArgument naming the file and
// line for malformed CSV, a missing column, an empty uri, a duplicate conceptUri within a file,
// or a relationType other than essential/optional; InvalidArgument naming the uri for a record
// that changeFromRecord rejects;
// Corruption for a damaged gzip file; IOError for a read error. Thread-safe: keeps no state.
Result<EscoImport> importEsco(const std::string& dir, const EscoImportOptions& options = {});

}  // namespace eichub::import
