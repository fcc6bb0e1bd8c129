// Matching: ranks the learning resources a node holds (its own and every synced feed) by how
// much of a skills need they cover, through the ESCO hierarchy, with a cover set and the skills
// left uncovered. Answers are plain structs (match_json.h gives their JSON form).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "node/match/filters.h"
#include "node/match/match_index.h"

namespace eichub::match {

// Limits, each with its reason; queries over them fail with InvalidArgument.
inline constexpr size_t kMaxNeedSkills = 512;  // ESCO occupations list at most ~150 skills
inline constexpr size_t kMaxResults = 1000;    // a page of offers, not a dump of the store
inline constexpr size_t kDefaultResults = 20;
inline constexpr size_t kMaxCoverSize = 100;  // a training plan, not a curriculum
inline constexpr size_t kDefaultCoverSize = 10;
// Hierarchy walk per need skill: how deep below it, and how many skills at most, so that a need
// naming a top-level skill group cannot make a query touch the whole catalogue.
inline constexpr int kMaxNarrowerDepth = 3;
inline constexpr size_t kMaxExpandedSkills = 2000;

// Credit a resource earns for a need skill, by how it reaches it.
inline constexpr double kExactCredit = 1.0;
inline constexpr double kNarrowerCredit = 0.5;  // per level below the need skill: 0.5, 0.25, ...
inline constexpr double kRelatedCredit = 0.25;  // an ESCO skill-skill relation
// A resource covers a need skill (cover set, gaps) with at least this credit: the skill itself
// or a skill one level narrower. Related skills help ranking but cover nothing.
inline constexpr double kCoverCredit = 0.5;

// Weights of need skills.
inline constexpr double kListedWeight = 1.0;
inline constexpr double kEssentialWeight = 1.0;
inline constexpr double kOptionalWeight = 0.5;

struct MatchQuery {
  std::vector<std::string> skills;  // skill or skill-group uris, weight kListedWeight each
  std::string occupation;           // its essential and optional skills join the need
  MatchFilters filters;
  size_t limit = kDefaultResults;         // 1..kMaxResults
  size_t cover_size = kDefaultCoverSize;  // 1..kMaxCoverSize
};

enum class Via : uint8_t { kExact, kNarrower, kRelated };
std::string_view viaName(Via via);

// Why a resource earned credit for one need skill.
struct MatchReason {
  std::string need_skill;    // uri
  std::string taught_skill;  // uri the resource teaches
  std::string taught_label;
  Via via = Via::kExact;
  int depth = 0;  // levels below the need skill (kNarrower)
  double credit = 0;
};

struct RankedOffer {
  ResourceId resource = 0;  // into MatchIndex::resources()
  store::RecordKey key;
  std::string title;
  double score = 0;                  // weighted share of the need covered, 0..1
  size_t need_skills = 0;            // need skills it earns credit for
  std::vector<MatchReason> reasons;  // in need order
};

struct NeedSkill {
  std::string uri;
  std::string label;
  std::string relation;  // "listed", "essential" or "optional"
  double weight = 0;
  size_t offers = 0;  // resources passing the filters that cover it (credit >= kCoverCredit)
};

struct CoverPick {
  ResourceId resource = 0;
  store::RecordKey key;
  std::string title;
  std::vector<std::string> covers;  // need skill uris it covers that earlier picks did not
};

struct MatchAnswer {
  std::string occupation;                   // uri, when the need came from one
  std::vector<NeedSkill> need;              // in need order: listed, then essential, optional
  std::vector<std::string> unknown_skills;  // uris no Skill or SkillGroup record defines
  size_t candidates = 0;                    // resources passing the filters with any credit
  std::vector<RankedOffer> offers;          // best first, at most limit
  std::vector<CoverPick> cover;             // greedy set cover, at most cover_size
  std::vector<std::string> uncovered;       // need skill uris the cover leaves uncovered
  std::string note;                         // why the answer is empty, when it is
};

// Ranks the resources of index for query. A resource's score is the weighted mean over the need
// skills of the best credit it earns for each (exact, narrower, related; see the constants).
// Ties go to record key order, so nodes holding the same feeds give identical answers. The
// cover set is greedy: each pick covers the most uncovered need weight, ties to the better
// ranked. Unknown skill uris are reported, not matched; a need with none known left gives an
// empty answer with a note. Errors: InvalidArgument for an empty need, too many skills, an
// out-of-range limit or cover size, bad filters (validateFilters); NotFound for an occupation
// uri no Occupation record has. Thread-safe over a shared index.
Result<MatchAnswer> match(const MatchIndex& index, const MatchQuery& query);

}  // namespace eichub::match
