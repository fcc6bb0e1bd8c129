// What the OAI-PMH provider computes from the whole store (Identify's earliest datestamp, the
// ListSets answer, a harvest's completeListSize and first page), kept while the store stays
// where it was: each request costs O(1) instead of a walk of every record or change. Identify's
// answer is kept a while longer (kSummaryKeptMs), and ListSets walks only the changes made since
// its last walk (SetsSoFar).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "federation/common/mutex.h"
#include "node/http/oai/oai_items.h"

namespace eichub::http::oai {

// First pages kept, by selection: each is at most a page of records (kPageItems), so this
// bounds the cache's memory to a few MB; a harvester's usual selections are a handful.
inline constexpr size_t kMaxCachedFirstPages = 32;

// How long Identify's answer outlives a move of the store. It stays true as the store moves:
// every change gets a datestamp later than any held, so the earliest datestamp stays a lower
// bound (only a less tight one, when the oldest item changed). A node that applies changes all
// day walks its store for it once a minute at most, not once per change (a harvester polling
// Identify cost a whole-store walk per request while peers synced).
inline constexpr int64_t kSummaryKeptMs = 60'000;

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

// The sets ListSets names, gathered from the changes up to a position. Sets are never dropped
// (a deleted item keeps its sets, for its deletion to be harvested), so the next ListSets adds
// the sets of the changes after at.last_change to these.
struct SetsSoFar {
  StorePosition at;
  std::set<std::string> names;
};

// Thread-safe. First pages belong to one StorePosition: a lookup or a store at another
// position drops them all first. A caller reads the position before it reads the store, so a
// page computed while the store moved is kept under the old position and never served.
// Identify's answer is served at its position, or elsewhere until kSummaryKeptMs after it was
// kept (now_ms: a steady clock's milliseconds).
// Lock order: mutex_ is a leaf.
class AnswerCache {
 public:
  std::optional<std::string> identify(const StorePosition& at, int64_t now_ms);
  void keepIdentify(const StorePosition& at, int64_t now_ms, std::string answer);
  std::optional<SetsSoFar> sets();
  // Keeps sets unless those kept were gathered further (two requests walked at once).
  void keepSets(SetsSoFar sets);
  // selection names the request: verb, metadataPrefix, set, from and until.
  std::optional<FirstPage> firstPage(const StorePosition& at, const std::string& selection);
  void keepFirstPage(const StorePosition& at, const std::string& selection, FirstPage page);

 private:
  struct Summary {
    StorePosition at;
    int64_t kept_ms = 0;
    std::string answer;
  };
  static std::optional<std::string> served(const std::optional<Summary>& summary,
                                           const StorePosition& at, int64_t now_ms);
  // Drops the first pages when at is not the cache's position.
  void moveTo(const StorePosition& at) EICHUB_REQUIRES(mutex_);

  Mutex mutex_;
  StorePosition position_ EICHUB_GUARDED_BY(mutex_);
  std::optional<Summary> identify_ EICHUB_GUARDED_BY(mutex_);
  std::optional<SetsSoFar> sets_ EICHUB_GUARDED_BY(mutex_);
  std::map<std::string, FirstPage> pages_ EICHUB_GUARDED_BY(mutex_);
};

}  // namespace eichub::http::oai
