// RelayBuffer: uncommitted verified runs, bounded in bytes, served until the writer reports.
#include "federation/sync/relay_buffer.h"

#include <algorithm>

namespace eichub::sync {

bool RelayBuffer::hold(uint64_t batch_id, const std::vector<feed::VerifiedUpdate>& batch) {
  if (batch.empty()) return false;
  const PublicKey& author = batch.front().fields.author;
  const size_t bytes = feed::heldBytes(batch);
  auto held = feeds_.find(author);
  // A run not kept leaves a gap until its commit: the runs after it are not kept either, or a
  // peer would be told of a head whose earlier updates nobody here can serve yet.
  const bool gap = std::any_of(skipped_.begin(), skipped_.end(),
                               [&](const auto& entry) { return entry.second == author; });
  if (gap || bytes_ + bytes > max_bytes_ ||
      (held != feeds_.end() && held->second.back().first_seq + held->second.back().updates.size() !=
                                   batch.front().fields.seq)) {
    skipped_[batch_id] = author;
    return false;
  }
  Run run{batch_id, batch.front().fields.seq, {}, batch.back().hash, bytes};
  run.updates.reserve(batch.size());
  for (const feed::VerifiedUpdate& u : batch) run.updates.push_back(u.signed_update);
  feeds_[author].push_back(std::move(run));
  by_batch_[batch_id] = author;
  bytes_ += bytes;
  return true;
}

void RelayBuffer::committed(uint64_t batch_id) {
  skipped_.erase(batch_id);
  (void)drop(batch_id, false);
}

size_t RelayBuffer::failed(uint64_t batch_id) {
  skipped_.erase(batch_id);
  return drop(batch_id, true);
}

size_t RelayBuffer::drop(uint64_t batch_id, bool with_later) {
  auto owner = by_batch_.find(batch_id);
  if (owner == by_batch_.end()) return 0;
  const PublicKey author = owner->second;
  std::deque<Run>& runs = feeds_[author];
  auto it = std::find_if(runs.begin(), runs.end(),
                         [&](const Run& run) { return run.batch_id == batch_id; });
  auto end = with_later ? runs.end() : it + 1;
  size_t dropped = 0;
  for (auto r = it; r != end; ++r, ++dropped) {
    bytes_ -= r->bytes;
    by_batch_.erase(r->batch_id);
  }
  runs.erase(it, end);
  if (runs.empty()) feeds_.erase(author);
  return dropped;
}

std::optional<wire::HeadInfo> RelayBuffer::head(const PublicKey& author) const {
  auto it = feeds_.find(author);
  if (it == feeds_.end()) return std::nullopt;
  const Run& last = it->second.back();
  return wire::HeadInfo{author, last.first_seq + last.updates.size() - 1, last.last_hash};
}

std::vector<PublicKey> RelayBuffer::authors() const {
  std::vector<PublicKey> out;
  out.reserve(feeds_.size());
  for (const auto& [author, runs] : feeds_) out.push_back(author);
  return out;
}

std::vector<feed::SignedUpdate> RelayBuffer::read(const PublicKey& author, uint64_t from_seq,
                                                  size_t max_count, size_t max_bytes) const {
  std::vector<feed::SignedUpdate> out;
  auto it = feeds_.find(author);
  if (it == feeds_.end() || max_count == 0) return out;
  size_t bytes = 0;
  for (const Run& run : it->second) {
    if (run.first_seq + run.updates.size() <= from_seq) continue;
    if (out.empty() && run.first_seq > from_seq) return out;  // a gap: not held here
    for (size_t i = from_seq > run.first_seq ? from_seq - run.first_seq : 0; i < run.updates.size();
         ++i) {
      bytes += feed::signedBytes(run.updates[i]);
      if (out.size() == max_count || (bytes > max_bytes && !out.empty())) return out;
      out.push_back(run.updates[i]);
    }
  }
  return out;
}

bool RelayBuffer::endsRun(const PublicKey& author, uint64_t seq, const Hash32& hash) const {
  auto it = feeds_.find(author);
  if (it == feeds_.end()) return false;
  return std::any_of(it->second.begin(), it->second.end(), [&](const Run& run) {
    return run.first_seq + run.updates.size() - 1 == seq && run.last_hash == hash;
  });
}

}  // namespace eichub::sync
