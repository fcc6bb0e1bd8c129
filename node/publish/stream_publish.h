// publishStream: what `eichub publish` of a JSON Lines file and `eichub import csv` do with a
// file of any size: check it whole, then publish it in bounded batches, never holding it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "node/catalog/change_batch.h"
#include "node/publish/local_publish.h"

namespace eichub::publish {

// Changes held at a time by a streaming publish, handed to one publishChanges call (which signs
// and commits them in batches of kPublishBatchUpdates): by count, and by body bytes for files
// of large records. Memory stays at a few of these, whatever the file's size.
inline constexpr size_t kStreamBatchChanges = 4096;
inline constexpr size_t kStreamBatchBytes = 4u << 20;

// Reads one input file into sink, line by line or row by row (catalog::scanJsonLines,
// import::scanCsv). Called once per pass, so it must read the same file each time.
using ChangeScan = std::function<Status(catalog::ChangeSink& sink)>;

// The context of every error from the checking pass, when nothing was signed.
inline constexpr std::string_view kNothingPublished = "nothing published";

struct StreamResult {
  catalog::LoadResult report;  // the first pass's counts and errors; changes stays empty
  PublishSummary summary;
};

// Two passes over the file that scan reads. The first reads every line, judges it (strict or
// skip-bad, the duplicate rule, options.max_changes: catalog::ChangeCollector) and checks the
// vendor scope (ScopeCheck) in parts of kStreamBatchChanges, keeping only each record's key,
// first line and a digest. The second reads the file again and publishes the lines the first
// kept, in parts of at most kStreamBatchChanges changes and kStreamBatchBytes of bodies, each
// signed and committed (publishChanges), then calls how.notify once when anything was written.
// So a bad line anywhere, in strict mode, publishes nothing, as a file read whole did.
// source names the file in errors.
// Errors from the first pass, in the context "nothing published": the reader's, InvalidArgument
// ("source:line: reason", strict mode), ResourceExhausted, PermissionDenied (ScopeCheck).
// Errors from the second, in the context "publish stopped; batches committed before stay": the
// store's, and InvalidArgument("source:line", "the file changed since it was checked") when a
// line the first pass kept (or, strict, any line) now reads differently.
Result<StreamResult> publishStream(store::CatalogStore& store, const LocalPublish& how,
                                   const std::string& source, const catalog::LoadOptions& options,
                                   const ChangeScan& scan);

}  // namespace eichub::publish
