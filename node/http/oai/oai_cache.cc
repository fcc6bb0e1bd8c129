// AnswerCache: the provider's whole-store answers, dropped when the store moves.
#include "node/http/oai/oai_cache.h"

#include <utility>

namespace eichub::http::oai {

void AnswerCache::moveTo(const StorePosition& at) {
  if (at == position_) return;
  position_ = at;
  identify_.reset();
  sets_.reset();
  pages_.clear();
}

std::optional<std::string> AnswerCache::identify(const StorePosition& at) {
  MutexLock lock(mutex_);
  moveTo(at);
  return identify_;
}

void AnswerCache::keepIdentify(const StorePosition& at, std::string answer) {
  MutexLock lock(mutex_);
  moveTo(at);
  identify_ = std::move(answer);
}

std::optional<std::string> AnswerCache::sets(const StorePosition& at) {
  MutexLock lock(mutex_);
  moveTo(at);
  return sets_;
}

void AnswerCache::keepSets(const StorePosition& at, std::string answer) {
  MutexLock lock(mutex_);
  moveTo(at);
  sets_ = std::move(answer);
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
