// Reading a JSON Lines catalogue file (docs/catalogue-jsonl.md) into Changes.
// One JSON object per line, in the form changeFromJson accepts; blank lines are ignored.
#pragma once

#include <string>

#include "federation/common/result.h"
#include "node/catalog/change_batch.h"

namespace eichub::catalog {

inline constexpr int kMaxJsonDepth = 16;  // records nest 3 deep (teaches[0].skill)

// Reads the file at path. Each non-blank line must be one JSON object of at most
// options.max_line_bytes bytes (a trailing CR is dropped), valid UTF-8, nesting at most
// kMaxJsonDepth deep, with no key repeated in one object, that changeFromJson accepts.
// Duplicate (kind, id) lines follow ChangeCollector's rule.
// In kStrict mode the first bad line fails the whole file: InvalidArgument("path:line: reason").
// In kSkipBad mode bad lines are skipped and listed in LoadResult::errors.
// Other errors: NotFound or IOError for the file; ResourceExhausted over options.max_changes,
// or for a file over options.max_file_bytes (nothing is returned).
// Holds every change of the file: a large file is published with scanJsonLines instead.
// Thread-safe: each call uses only its own state.
Result<LoadResult> readJsonLines(const std::string& path, const LoadOptions& options = {});

// The same reading, handing each line to sink as it is read and holding one line at a time.
// Only max_line_bytes and max_file_bytes of options apply; the sink judges the rest. Errors:
// the sink's, NotFound or IOError for the file, ResourceExhausted("path", ...) once more than
// options.max_file_bytes are read.
Status scanJsonLines(const std::string& path, const LoadOptions& options, ChangeSink& sink);

// The same for JSON Lines held in memory (an HTTP request body), handing each line to sink:
// only max_line_bytes of options applies. Errors: the sink's.
Status scanJsonLinesText(std::string_view text, const LoadOptions& options, ChangeSink& sink);

// The same for JSON Lines held in memory, every change collected; source names it in errors.
Result<LoadResult> parseJsonLines(std::string_view text, const std::string& source,
                                  const LoadOptions& options = {});

}  // namespace eichub::catalog
