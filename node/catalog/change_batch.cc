// ChangeCollector: strict or skip-bad handling of one file's lines, and the duplicate rule
// (identical repeats dropped and counted, differing repeats rejected).
#include "node/catalog/change_batch.h"

#include "federation/crypto/sha256.h"
#include "node/catalog/record_json.h"

namespace eichub::catalog {

Hash32 contentDigest(const Change& change) {
  const uint8_t op = static_cast<uint8_t>(change.op);
  crypto::Sha256 hash;
  hash.update(ByteView(&op, 1));
  hash.update(change.body);
  return hash.finish();
}

ChangeCollector::ChangeCollector(std::string source, const LoadOptions& options)
    : ChangeCollector(std::move(source), options, nullptr) {}

ChangeCollector::ChangeCollector(std::string source, const LoadOptions& options, KeepFn keep)
    : source_(std::move(source)), options_(options), keep_(std::move(keep)) {}

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
  const Hash32 digest = contentDigest(*change);
  if (auto it = seen_.find(key); it != seen_.end()) {
    if (it->second.digest == digest) {
      ++result_.duplicates;
      return Status::OK();
    }
    return reject(line, Status::InvalidArgument(
                            std::string(kindName(change->kind)) + " \"" + change->id + "\"",
                            "duplicate of line " + std::to_string(it->second.line) +
                                " with different content"));
  }
  if (kept_ >= options_.max_changes) {
    return Status::ResourceExhausted(
        source_ + ":" + std::to_string(line),
        "more than " + std::to_string(options_.max_changes) + " records in one file; split it");
  }
  seen_.emplace(std::move(key), FirstLine{line, digest});
  ++kept_;
  if (keep_) return keep_(line, std::move(change).value());
  result_.changes.push_back(std::move(change).value());
  return Status::OK();
}

}  // namespace eichub::catalog
