// MatchIndex: an in-memory snapshot of what matching reads (skill graph, occupations, learning
// resources with their filter fields, skill needs), built from the store in one read txn.
// Queries on it take microseconds where reading every resource from LMDB would take seconds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "federation/common/result.h"
#include "node/match/skill_graph.h"
#include "node/store/catalog_store.h"

namespace eichub::match {

// A resource's number in one index: its position in record key order, which is the same on
// every node holding the same feeds, so ranking ties broken by it are too.
using ResourceId = uint32_t;

enum class Mode : uint8_t { kUnspecified, kOnline, kOnsite, kBlended };

struct ResourceEntry {
  store::RecordKey key;
  std::string title;                   // in English, else the first language held
  std::vector<std::string> languages;  // teaching languages; the title's when none stated
  Mode mode = Mode::kUnspecified;
  uint8_t eqf_level = 0;  // 0: not stated
  bool has_price = false;
  uint64_t price_cents = 0;
  std::string currency;
  std::string region;  // NUTS code or ""
  std::vector<std::string> sectors;
  std::string valid_from;   // YYYY-MM-DD or "": such dates compare as strings
  std::string valid_until;  // YYYY-MM-DD or ""
  std::vector<SkillId> teaches;
};

struct OccupationSkill {
  SkillId skill = 0;
  bool essential = true;
};

struct OccupationEntry {
  std::string uri;
  std::string label;
  std::vector<OccupationSkill> skills;  // merged over authors, essential wins
};

struct NeedEntry {
  store::RecordKey key;
  std::vector<SkillId> skills;
  std::string occupation;  // uri or ""
  std::string region;
  std::string sector;
  uint32_t headcount = 0;  // 0: not stated
};

// What one build read and kept, for status lines and benchmarks.
struct IndexStats {
  uint64_t skills = 0;  // Skill and SkillGroup records read
  uint64_t occupations = 0;
  uint64_t resources = 0;
  uint64_t needs = 0;
  uint64_t unreadable = 0;  // bodies that would not decode: left out, never fatal
};

// Immutable after build(); safe to query from many threads. Not copyable (it is large).
class MatchIndex {
 public:
  // Reads every live Skill, SkillGroup, Occupation, LearningResource and SkillNeed record of
  // store in one read txn. Records of one uri from several authors are merged (links unioned,
  // the label of the first author in key order kept). A body that does not decode is counted
  // in stats().unreadable and left out. Errors: IOError, Corruption from the store.
  static Result<std::unique_ptr<MatchIndex>> build(const store::CatalogStore& store);

  // True while the store holds exactly the feed heads this index was built from; otherwise
  // build a new one (the state is a function of the heads held: docs/architecture.md "Store
  // tables"). Errors: IOError, Corruption from the store.
  Result<bool> isCurrent(const store::CatalogStore& store) const;

  const SkillGraph& graph() const { return graph_; }
  const std::vector<ResourceEntry>& resources() const { return resources_; }
  // Resources teaching skill exactly, ascending.
  const std::vector<ResourceId>& teaching(SkillId skill) const;
  // nullptr when no Occupation record has this uri.
  const OccupationEntry* occupation(const std::string& uri) const;
  const std::vector<NeedEntry>& needs() const { return needs_; }
  const IndexStats& stats() const { return stats_; }

  // For build(); an index is only made through it.
  struct Parts;
  explicit MatchIndex(Parts parts);
  MatchIndex(const MatchIndex&) = delete;
  MatchIndex& operator=(const MatchIndex&) = delete;

 private:
  SkillGraph graph_;
  std::vector<ResourceEntry> resources_;
  std::vector<std::vector<ResourceId>> teaching_;  // by SkillId
  std::unordered_map<std::string, OccupationEntry> occupations_;
  std::vector<NeedEntry> needs_;
  std::vector<store::FeedInfo> heads_;
  IndexStats stats_;
};

struct MatchIndex::Parts {
  SkillGraph graph;
  std::vector<ResourceEntry> resources;
  std::unordered_map<std::string, OccupationEntry> occupations;
  std::vector<NeedEntry> needs;
  std::vector<store::FeedInfo> heads;
  IndexStats stats;
};

}  // namespace eichub::match
