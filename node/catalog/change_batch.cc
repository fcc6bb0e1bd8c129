// ChangeCollector: strict or skip-bad handling of one file's lines, and the duplicate rule
// (identical repeats dropped and counted, differing repeats rejected).
#include "node/catalog/change_batch.h"

#include "node/catalog/record_json.h"

namespace eichub::catalog {

ChangeCollector::ChangeCollector(std::string source, const LoadOptions& options)
    : source_(std::move(source)), options_(options) {}

Status ChangeCollector::reject(uint64_t line, const Status& reason) {
  std::string where = source_ + ":" + std::to_string(line);
  if (options_.mode == ErrorMode::kStrict) return Status::InvalidArgument(where, reason.message());
  ++result_.skipped;
  if (result_.errors.size() < kMaxReportedErrors) {
    result_.errors.push_back(where + ": " + reason.message());
  }
  return Status::OK();
}

Status ChangeCollector::add(uint64_t line, Result<Change> change) {
  if (!change.ok()) return reject(line, change.status());
  auto key = std::make_pair(static_cast<int>(change->kind), change->id);
  if (auto it = seen_.find(key); it != seen_.end()) {
    const Change& first = result_.changes[it->second.second];
    if (first.op == change->op && first.body == change->body) {
      ++result_.duplicates;
      return Status::OK();
    }
    return reject(line, Status::InvalidArgument(
                            std::string(kindName(change->kind)) + " \"" + change->id + "\"",
                            "duplicate of line " + std::to_string(it->second.first) +
                                " with different content"));
  }
  if (result_.changes.size() >= options_.max_changes) {
    return Status::ResourceExhausted(
        source_ + ":" + std::to_string(line),
        "more than " + std::to_string(options_.max_changes) + " records in one file; split it");
  }
  seen_.emplace(std::move(key), std::make_pair(line, result_.changes.size()));
  result_.changes.push_back(std::move(change).value());
  return Status::OK();
}

}  // namespace eichub::catalog
