// Publish check: the receiving side's verdict, applied before signing.
#include "node/policy/publish_check.h"

#include <algorithm>
#include <string>

namespace eichub::policy {

Status checkPublish(const trust::TrustState& state, const PublicKey& author, const feed::Head& head,
                    const std::vector<catalog::Change>& changes, int64_t time_ms) {
  uint64_t refused = 0;
  std::string first;
  feed::HeaderFields header;
  header.author = author;
  // Signed times never go back within a feed (FeedAppender raises them to the head's).
  header.time_ms = std::max(time_ms, head.time_ms);
  // Unchanged records take no seq and no bytes, so these are upper bounds: a change that
  // passes a cut-off or a quota here passes it when published.
  uint64_t feed_bytes = head.bytes;
  for (size_t i = 0; i < changes.size(); ++i) {
    header.seq = head.seq + 1 + i;
    header.kind = catalog::kindCode(changes[i].kind);
    header.id = changes[i].id;
    header.op = changes[i].op;
    feed_bytes += changes[i].body.size();
    std::string_view why = state.verdict(header);
    if (why.empty()) why = state.byteVerdict(author, feed_bytes);
    if (why.empty()) continue;
    if (refused++ == 0) first = changes[i].id + ": " + std::string(why);
  }
  if (refused == 0) return Status::OK();
  std::string detail = "first: " + first;
  if (const trust::AuthorTrust* entry = state.find(author);
      entry != nullptr && entry->max_updates != 0 &&
      head.seq + changes.size() > entry->max_updates) {
    const uint64_t left = entry->max_updates > head.seq ? entry->max_updates - head.seq : 0;
    detail += "; quota: this feed may count " + std::to_string(entry->max_updates) +
              " updates (--max-records), " + std::to_string(left) + " left at seq " +
              std::to_string(head.seq);
  }
  if (const trust::AuthorTrust* entry = state.find(author);
      entry != nullptr && entry->max_bytes != 0 && feed_bytes > entry->max_bytes) {
    const uint64_t left = entry->max_bytes > head.bytes ? entry->max_bytes - head.bytes : 0;
    detail += "; quota: this feed may hold " + std::to_string(entry->max_bytes) +
              " bytes of records (--max-mb), " + std::to_string(left) + " left at seq " +
              std::to_string(head.seq) + ", these records take " +
              std::to_string(feed_bytes - head.bytes);
  }
  return Status::PermissionDenied(std::to_string(refused) + " of " +
                                      std::to_string(changes.size()) +
                                      " records refused by the trust rules, nothing written",
                                  detail);
}

}  // namespace eichub::policy
