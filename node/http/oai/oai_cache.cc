// AnswerCache: the provider's whole-store answers: first pages dropped when the store moves,
// Identify's a minute after, the sets gathered so far kept.
#include "node/http/oai/oai_cache.h"

#include <utility>

namespace eichub::http::oai {

void AnswerCache::moveTo(const StorePosition& at) {
  if (at == position_) return;
  position_ = at;
  pages_.clear();
}

std::optional<std::string> AnswerCache::served(const std::optional<Summary>& summary,
                                               const StorePosition& at, int64_t now_ms) {
  if (!summary) return std::nullopt;
  if (summary->at == at) return summary->answer;
  const int64_t age_ms = now_ms - summary->kept_ms;
  if (age_ms >= 0 && age_ms < kSummaryKeptMs) return summary->answer;
  return std::nullopt;
}

std::optional<std::string> AnswerCache::identify(const StorePosition& at, int64_t now_ms) {
  MutexLock lock(mutex_);
  return served(identify_, at, now_ms);
}

void AnswerCache::keepIdentify(const StorePosition& at, int64_t now_ms, std::string answer) {
  MutexLock lock(mutex_);
  identify_ = Summary{at, now_ms, std::move(answer)};
}

std::optional<SetsSoFar> AnswerCache::sets() {
  MutexLock lock(mutex_);
  return sets_;
}

void AnswerCache::keepSets(SetsSoFar sets) {
  MutexLock lock(mutex_);
  if (sets_ && sets_->at.last_change > sets.at.last_change) return;
  sets_ = std::move(sets);
}

std::optional<FirstPage> AnswerCache::firstPage(const StorePosition& at,
                                                const std::string& selection) {
  MutexLock lock(mutex_);
  moveTo(at);
  auto it = pages_.find(selection);
  if (it == pages_.end()) return std::nullopt;
  return it->second;
}

void AnswerCache::keepFirstPage(const StorePosition& at, const std::string& selection,
                                FirstPage page) {
  MutexLock lock(mutex_);
  moveTo(at);
  // Full: keep the pages held (the store moving empties the cache soon enough).
  if (pages_.size() >= kMaxCachedFirstPages && pages_.count(selection) == 0) return;
  pages_[selection] = std::move(page);
}

}  // namespace eichub::http::oai
