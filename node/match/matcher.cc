// Matching: need assembly, hierarchy expansion, scoring and ranking. The cover set is in
// cover.cc.
#include "node/match/matcher.h"

#include <algorithm>
#include <unordered_set>

#include <fmt/core.h>

#include "node/match/internal/cover.h"

namespace eichub::match {
namespace {

struct Expansion {
  SkillId skill = 0;
  Via via = Via::kExact;
  int depth = 0;
  double credit = 0;
};

// The skills whose teaching earns credit for need skill `need`, best credit first: the skill,
// its narrower skills level by level, then its related skills.
std::vector<Expansion> expand(const SkillGraph& graph, SkillId need) {
  std::vector<Expansion> out = {{need, Via::kExact, 0, kExactCredit}};
  std::unordered_set<SkillId> seen = {need};
  std::vector<SkillId> level = {need};
  double credit = kExactCredit;
  for (int depth = 1; depth <= kMaxNarrowerDepth && !level.empty(); ++depth) {
    credit *= kNarrowerCredit;
    std::vector<SkillId> next;
    for (SkillId parent : level) {
      for (SkillId child : graph.node(parent).narrower) {
        if (out.size() >= kMaxExpandedSkills) return out;
        if (!seen.insert(child).second) continue;
        out.push_back({child, Via::kNarrower, depth, credit});
        next.push_back(child);
      }
    }
    level = std::move(next);
  }
  for (SkillId related : graph.node(need).related) {
    if (out.size() >= kMaxExpandedSkills) break;
    if (seen.insert(related).second) out.push_back({related, Via::kRelated, 0, kRelatedCredit});
  }
  return out;
}

// One resource earning credit for one need skill through one taught skill.
struct Hit {
  ResourceId resource;
  uint32_t need;
  SkillId taught;
  Via via;
  uint8_t depth;
  double credit;
};

bool hitBefore(const Hit& a, const Hit& b) {
  if (a.resource != b.resource) return a.resource < b.resource;
  if (a.need != b.need) return a.need < b.need;
  if (a.credit != b.credit) return a.credit > b.credit;
  return a.taught < b.taught;
}

// The need skills in order (listed, essential, optional), each once, and the unknown uris.
Status assembleNeed(const MatchIndex& index, const MatchQuery& query, MatchAnswer& answer,
                    std::vector<SkillId>& ids) {
  const SkillGraph& graph = index.graph();
  std::unordered_set<std::string> unknown_seen;
  auto add = [&](const std::string& uri, const char* relation, double weight) {
    auto id = graph.find(uri);
    if (!id || !graph.node(*id).defined) {
      if (unknown_seen.insert(uri).second) answer.unknown_skills.push_back(uri);
      return;
    }
    auto it = std::find(ids.begin(), ids.end(), *id);
    if (it != ids.end()) {
      NeedSkill& held = answer.need[static_cast<size_t>(it - ids.begin())];
      held.weight = std::max(held.weight, weight);
      return;
    }
    ids.push_back(*id);
    answer.need.push_back({uri, graph.node(*id).label, relation, weight, 0});
  };
  for (const std::string& uri : query.skills) {
    if (uri.empty()) return Status::InvalidArgument("skills: an empty skill uri");
    add(uri, "listed", kListedWeight);
  }
  if (!query.occupation.empty()) {
    const OccupationEntry* occupation = index.occupation(query.occupation);
    if (occupation == nullptr) {
      return Status::NotFound(
          fmt::format("no occupation {} in this store (import ESCO first?)", query.occupation));
    }
    answer.occupation = occupation->uri;
    for (bool essential : {true, false}) {
      for (const OccupationSkill& s : occupation->skills) {
        if (s.essential != essential) continue;
        add(graph.node(s.skill).uri, essential ? "essential" : "optional",
            essential ? kEssentialWeight : kOptionalWeight);
      }
    }
  }
  if (ids.size() > kMaxNeedSkills) {
    return Status::InvalidArgument(
        fmt::format("need has {} skills, over the limit of {}", ids.size(), kMaxNeedSkills));
  }
  return Status::OK();
}

Status checkQuery(const MatchQuery& query) {
  if (query.skills.empty() && query.occupation.empty()) {
    return Status::InvalidArgument("empty need: give skill uris or an occupation uri");
  }
  if (query.skills.size() > kMaxNeedSkills) {
    return Status::InvalidArgument(
        fmt::format("{} skills given, over the limit of {}", query.skills.size(), kMaxNeedSkills));
  }
  if (query.limit == 0 || query.limit > kMaxResults) {
    return Status::InvalidArgument(fmt::format("limit must be 1..{}", kMaxResults));
  }
  if (query.cover_size == 0 || query.cover_size > kMaxCoverSize) {
    return Status::InvalidArgument(fmt::format("cover size must be 1..{}", kMaxCoverSize));
  }
  return validateFilters(query.filters);
}

}  // namespace

std::string_view viaName(Via via) {
  switch (via) {
    case Via::kExact:
      return "exact";
    case Via::kNarrower:
      return "narrower";
    case Via::kRelated:
      return "related";
  }
  return "";
}

Result<MatchAnswer> match(const MatchIndex& index, const MatchQuery& query) {
  EICHUB_RETURN_IF_ERROR(checkQuery(query));
  MatchAnswer answer;
  std::vector<SkillId> need_ids;
  EICHUB_RETURN_IF_ERROR(assembleNeed(index, query, answer, need_ids));
  if (need_ids.empty()) {
    answer.note = "none of the need's skills is a Skill or SkillGroup held by this node";
    return answer;
  }

  std::vector<Hit> hits;
  for (uint32_t i = 0; i < need_ids.size(); ++i) {
    for (const Expansion& e : expand(index.graph(), need_ids[i])) {
      for (ResourceId r : index.teaching(e.skill)) {
        hits.push_back({r, i, e.skill, e.via, static_cast<uint8_t>(e.depth), e.credit});
      }
    }
  }
  std::sort(hits.begin(), hits.end(), hitBefore);

  double total_weight = 0;
  for (const NeedSkill& n : answer.need) total_weight += n.weight;
  std::vector<internal::Candidate> candidates;
  for (size_t begin = 0; begin < hits.size();) {
    size_t end = begin;
    while (end < hits.size() && hits[end].resource == hits[begin].resource) ++end;
    const ResourceEntry& resource = index.resources()[hits[begin].resource];
    if (passes(query.filters, resource)) {
      internal::Candidate c;
      c.resource = hits[begin].resource;
      double earned = 0;
      for (size_t h = begin; h < end; ++h) {
        // The first hit of each need is its best (hitBefore).
        if (h > begin && hits[h].need == hits[h - 1].need) continue;
        earned += answer.need[hits[h].need].weight * hits[h].credit;
        c.best.push_back(static_cast<uint32_t>(h));
        if (hits[h].credit >= kCoverCredit) c.covers.push_back(hits[h].need);
      }
      c.score = earned / total_weight;
      candidates.push_back(std::move(c));
    }
    begin = end;
  }
  answer.candidates = candidates.size();
  for (const internal::Candidate& c : candidates) {
    for (uint32_t need : c.covers) ++answer.need[need].offers;
  }

  std::sort(candidates.begin(), candidates.end(), internal::rankedBefore);
  size_t shown = std::min(query.limit, candidates.size());
  for (size_t k = 0; k < shown; ++k) {
    const internal::Candidate& c = candidates[k];
    const ResourceEntry& resource = index.resources()[c.resource];
    RankedOffer offer{c.resource, resource.key, resource.title, c.score, c.best.size(), {}};
    for (uint32_t h : c.best) {
      const Hit& hit = hits[h];
      const SkillNode& taught = index.graph().node(hit.taught);
      offer.reasons.push_back(
          {answer.need[hit.need].uri, taught.uri, taught.label, hit.via, hit.depth, hit.credit});
    }
    answer.offers.push_back(std::move(offer));
  }

  std::vector<double> weights;
  for (const NeedSkill& n : answer.need) weights.push_back(n.weight);
  std::vector<bool> covered;
  for (const internal::CoverStep& step :
       internal::greedyCover(candidates, weights, query.cover_size, covered)) {
    const ResourceEntry& resource = index.resources()[step.resource];
    CoverPick pick{step.resource, resource.key, resource.title, {}};
    for (uint32_t need : step.covers) pick.covers.push_back(answer.need[need].uri);
    answer.cover.push_back(std::move(pick));
  }
  for (size_t i = 0; i < covered.size(); ++i) {
    if (!covered[i]) answer.uncovered.push_back(answer.need[i].uri);
  }
  if (answer.offers.empty()) {
    answer.note = hits.empty() ? "no resource teaches these skills or narrower or related ones"
                               : "resources teach these skills, but none passes the filters";
  }
  return answer;
}

}  // namespace eichub::match
