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
  for (size_t i = 0; i < changes.size(); ++i) {
    // Unchanged records take no seq, so this seq is an upper bound: a change that passes a
    // cut-off here passes it when published.
    header.seq = head.seq + 1 + i;
    header.kind = catalog::kindCode(changes[i].kind);
    header.id = changes[i].id;
    header.op = changes[i].op;
    std::string_view why = state.verdict(header);
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
  return Status::PermissionDenied(std::to_string(refused) + " of " +
                                      std::to_string(changes.size()) +
                                      " records refused by the trust rules, nothing written",
                                  detail);
}

}  // namespace eichub::policy
