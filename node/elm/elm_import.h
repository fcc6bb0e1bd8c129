// The Europass ELM import: an LOQ 3.1.0 document (ours, or one a national database wrote) read
// as learning resources and providers (docs/elm.md maps every field), with ids derived stably
// from the document's URIs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "node/catalog/change.h"

namespace eichub::elm {

// Bounds on a document from outside. Each has a reason; tests send limit+1.
inline constexpr uint64_t kMaxElmFileBytes = 512ull << 20;  // a national dataset: ~100k entries
inline constexpr int kMaxElmDepth = 32;  // the LOQ schema nests ~10 deep; more is an attack
// Entities are never expanded: a DOCTYPE is refused, so a document can declare none.

struct ImportOptions {
  bool skip_bad = false;  // skip bad entries (counted) instead of refusing the document
  uint64_t max_file_bytes = kMaxElmFileBytes;
  int max_depth = kMaxElmDepth;
};

struct ElmImport {
  std::vector<catalog::Change> changes;  // providers first, then learning resources
  uint64_t opportunities = 0;            // learning resources among changes
  uint64_t organisations = 0;            // providers among changes
  uint64_t skipped = 0;                  // bad entries left out (skip_bad)
  std::vector<std::string> errors;       // why each was left out
  // Values of imported entries that state nothing the catalogue can hold (docs/elm.md "Values
  // left out"), each "line N: element uri: what and why"; the first kMaxReportedErrors.
  std::vector<std::string> notes;
};

// Reads the document at path with libxml2's streaming reader: no network, no DTD, no entity
// expansion, bounded size and depth. A document that is not well-formed XML, not an LOQ
// document (root Courses in the loq-constraints namespace) or over a bound is refused whole.
// An entry with a missing title or id, a value outside its controlled vocabulary, or a field
// the catalogue refuses is refused with its line and element; with skip_bad it is left out and
// counted instead. Nothing is published here: the caller publishes changes, all or nothing.
// Errors: InvalidArgument (naming the line and element), NotFound, IOError.
Result<ElmImport> importElm(const std::string& path, const ImportOptions& options);

}  // namespace eichub::elm
