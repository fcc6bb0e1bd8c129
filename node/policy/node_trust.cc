// NodeTrust: derive, restate, judge.
#include "node/policy/node_trust.h"

#include <algorithm>

#include "node/policy/trust_inputs.h"
#include "node/store/restate.h"

namespace eichub::policy {

namespace {

// Rounds of derive-then-restate: restating can drop trust records (a removed member's late
// delegations), which changes the state again. Each round only narrows; a few suffice.
constexpr int kMaxRefreshRounds = 4;
// Updates at or after the seq of a fork proof do not count.
constexpr std::string_view kFrozen = "frozen";

bool sameTrust(const trust::TrustState& a, const trust::TrustState& b, const PublicKey& author) {
  const trust::AuthorTrust* x = a.find(author);
  const trust::AuthorTrust* y = b.find(author);
  if ((x == nullptr) != (y == nullptr) || (x != nullptr && !(*x == *y))) return false;
  auto cx = a.cuts().find(author);
  auto cy = b.cuts().find(author);
  if ((cx == a.cuts().end()) != (cy == b.cuts().end())) return false;
  return cx == a.cuts().end() || cx->second == cy->second;
}

// Fully trusted: every update of the feed counts whatever it holds.
bool fullyTrusted(const trust::TrustState& state, const PublicKey& author) {
  const trust::AuthorTrust* entry = state.find(author);
  return entry != nullptr && entry->role != trust::Role::kVendor && entry->max_updates == 0 &&
         entry->max_bytes == 0 && state.cuts().count(author) == 0;
}

}  // namespace

Result<bool> NodeTrust::restateIfNeeded(store::CatalogStore& store, const PublicKey& author,
                                        uint64_t head_seq, const trust::TrustState& before) {
  bool needed;
  if (!refreshed_) {
    needed = !fullyTrusted(state_, author);
  } else {
    needed = !sameTrust(before, state_, author);
  }
  auto frozen = frozen_.find(author);
  if (frozen != frozen_.end() && !(restated_head_.count(author) && prefix_end_.count(author))) {
    needed = true;  // newly frozen
  }
  // An earlier fork point replaced the one the feed was restated at: its prefix is too long.
  if (auto end = prefix_end_.find(author);
      end != prefix_end_.end() && end->second > lastAcceptedSeq(author)) {
    needed = true;
  }
  // A feed holding updates past its cut-off that its state may count: a batch judged before
  // the cut was known landed after it, or the node's own publisher wrote past it.
  auto restated = restated_head_.find(author);
  if (lastAcceptedSeq(author) < head_seq &&
      (restated == restated_head_.end() || restated->second != head_seq)) {
    needed = true;
  }
  if (!needed) return false;
  // restate hands the headers over in feed order from seq 1, up to the first refused; a write
  // retried after the map grew starts over.
  uint64_t feed_bytes = 0;
  uint64_t last_seq = 0;
  auto valid = [&](const feed::HeaderFields& h) {
    if (h.seq <= last_seq) feed_bytes = 0;
    last_seq = h.seq;
    feed_bytes += h.body_size;
    return verdict(h).empty() && byteVerdict(h.author, feed_bytes).empty();
  };
  EICHUB_ASSIGN_OR_RETURN(uint64_t end, store::restate(store, author, valid));
  if (end < head_seq || frozen != frozen_.end()) {
    prefix_end_[author] = end;
    restated_head_[author] = head_seq;
  } else {
    prefix_end_.erase(author);
    restated_head_.erase(author);
  }
  return true;
}

Result<bool> NodeTrust::refresh(store::CatalogStore& store, const trust::TrustConfig& config,
                                const std::map<PublicKey, uint64_t>& frozen) {
  const trust::TrustState original = state_;
  frozen_ = frozen;
  for (int round = 0; round < kMaxRefreshRounds; ++round) {
    EICHUB_ASSIGN_OR_RETURN(trust::TrustState next, currentTrust(store, config));
    if (refreshed_ && next == state_ && round > 0) break;
    const trust::TrustState before = std::move(state_);
    state_ = std::move(next);
    EICHUB_ASSIGN_OR_RETURN(std::vector<store::FeedInfo> feeds, store.queries().feeds());
    bool restated = false;
    for (const store::FeedInfo& feed : feeds) {
      EICHUB_ASSIGN_OR_RETURN(bool did, restateIfNeeded(store, feed.author, feed.head.seq, before));
      restated = restated || did;
    }
    refreshed_ = true;
    if (!restated) break;
  }
  return !(original == state_);
}

std::string_view NodeTrust::verdict(const feed::HeaderFields& header) const {
  if (auto it = frozen_.find(header.author); it != frozen_.end() && header.seq >= it->second) {
    return kFrozen;
  }
  if (auto it = prefix_end_.find(header.author);
      it != prefix_end_.end() && header.seq > it->second) {
    return trust::reason::kAfterCutoff;
  }
  return state_.verdict(header);
}

uint64_t NodeTrust::lastAcceptedSeq(const PublicKey& author) const {
  uint64_t last = state_.lastAcceptedSeq(author);
  if (auto it = frozen_.find(author); it != frozen_.end()) last = std::min(last, it->second - 1);
  if (auto it = prefix_end_.find(author); it != prefix_end_.end())
    last = std::min(last, it->second);
  return last;
}

}  // namespace eichub::policy
