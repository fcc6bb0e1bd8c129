// MatchCache: the match index and aligner of a long-running process (the daemon's HTTP
// threads), kept while the store holds the feed heads they were built from and rebuilt when
// it does not, so a query costs microseconds and not a rebuild.
#pragma once

#include <memory>

#include "federation/common/mutex.h"
#include "federation/common/result.h"
#include "node/match/aligner.h"
#include "node/match/match_index.h"
#include "node/store/catalog_store.h"

namespace eichub::match {

// Thread-safe. store must outlive the cache.
class MatchCache {
 public:
  explicit MatchCache(const store::CatalogStore& store) : store_(store) {}

  // An index of the store's current state: the cached one, or a new build (one at a time;
  // other callers wait for it). Errors: the store's, from MatchIndex::build.
  Result<std::shared_ptr<const MatchIndex>> index();
  // The aligner over the store's current Skill labels, rebuilt with the index.
  Result<std::shared_ptr<const Aligner>> aligner();

 private:
  // Refreshes index_ (and drops aligner_ when the index changed).
  Status refresh() EICHUB_REQUIRES(mu_);

  const store::CatalogStore& store_;
  Mutex mu_;
  std::shared_ptr<const MatchIndex> index_ EICHUB_GUARDED_BY(mu_);
  std::shared_ptr<const Aligner> aligner_ EICHUB_GUARDED_BY(mu_);
};

}  // namespace eichub::match
