// What the OAI-PMH provider computes from the whole store (Identify's earliest datestamp, the
// ListSets answer, a harvest's completeListSize and first page), kept while the store stays
// where it was: each request costs O(1) instead of a walk of every record or change.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "federation/common/mutex.h"
#include "node/http/oai/oai_items.h"

namespace eichub::http::oai {

// First pages kept, by selection: each is at most a page of records (kPageItems), so this
// bounds the cache's memory to a few MB; a harvester's usual selections are a handful.
inline constexpr size_t kMaxCachedFirstPages = 32;

// Where the store is: its last change number (moves with every applied update) and the count
// of batches the daemon applied (ChangeSignal: also moves for writes that add no change, such
// as a body fetched for a held header or a trust restate).
struct StorePosition {
  uint64_t last_change = 0;
  uint64_t applied = 0;
  bool operator==(const StorePosition&) const = default;
};

// The first page of a harvest of one selection, as the store was at a position.
struct FirstPage {
  Heads heads;            // the harvest's bound
  uint64_t complete = 0;  // completeListSize
  std::string items;      // the page's headers, or records
  size_t count = 0;       // items on the page
  uint64_t last = 0;      // the change number of its last item
  bool more = false;      // items follow
};

// Thread-safe. Every entry belongs to one StorePosition: a lookup or a store at another
// position drops them all first. A caller reads the position before it reads the store, so an
// answer computed while the store moved is kept under the old position and never served.
// Lock order: mutex_ is a leaf.
class AnswerCache {
 public:
  std::optional<std::string> identify(const StorePosition& at);
  void keepIdentify(const StorePosition& at, std::string answer);
  std::optional<std::string> sets(const StorePosition& at);
  void keepSets(const StorePosition& at, std::string answer);
  // selection names the request: verb, metadataPrefix, set, from and until.
  std::optional<FirstPage> firstPage(const StorePosition& at, const std::string& selection);
  void keepFirstPage(const StorePosition& at, const std::string& selection, FirstPage page);

 private:
  // Drops every entry when at is not the cache's position.
  void moveTo(const StorePosition& at) EICHUB_REQUIRES(mutex_);

  Mutex mutex_;
  StorePosition position_ EICHUB_GUARDED_BY(mutex_);
  std::optional<std::string> identify_ EICHUB_GUARDED_BY(mutex_);
  std::optional<std::string> sets_ EICHUB_GUARDED_BY(mutex_);
  std::map<std::string, FirstPage> pages_ EICHUB_GUARDED_BY(mutex_);
};

}  // namespace eichub::http::oai
