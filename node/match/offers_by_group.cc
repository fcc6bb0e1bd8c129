// offersByGroup: walk each taught skill up to its top-level groups (memoised per skill).
#include "node/match/offers_by_group.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace eichub::match {
namespace {

// The top-level groups above skill (itself included when it is one). A group is top-level when
// no group is broader than it. The walk visits each node once, so cycles in bad data end.
std::vector<SkillId> topGroups(const SkillGraph& graph, SkillId skill) {
  std::vector<SkillId> out;
  std::set<SkillId> seen{skill};
  std::vector<SkillId> todo{skill};
  while (!todo.empty()) {
    const SkillId id = todo.back();
    todo.pop_back();
    const SkillNode& node = graph.node(id);
    bool has_broader_group = false;
    for (SkillId up : node.broader) {
      if (graph.node(up).group) has_broader_group = true;
      if (seen.insert(up).second) todo.push_back(up);
    }
    if (node.group && node.defined && !has_broader_group) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

OffersByGroup offersByGroup(const MatchIndex& index) {
  const SkillGraph& graph = index.graph();
  std::vector<std::optional<std::vector<SkillId>>> memo(graph.size());
  std::map<std::pair<std::string, std::string>, GroupOffers> rows;  // (group uri, region)
  OffersByGroup out;
  for (const ResourceEntry& resource : index.resources()) {
    std::set<SkillId> groups;
    for (SkillId skill : resource.teaches) {
      if (!memo[skill]) memo[skill] = topGroups(graph, skill);
      groups.insert(memo[skill]->begin(), memo[skill]->end());
    }
    if (groups.empty()) {
      ++out.resources_without_group;
      continue;
    }
    for (SkillId group : groups) {
      const SkillNode& node = graph.node(group);
      GroupOffers& row = rows[{node.uri, resource.region}];
      row.group = node.uri;
      row.label = node.label;
      row.region = resource.region;
      ++row.resources;
    }
  }
  for (auto& [key, row] : rows) out.rows.push_back(std::move(row));
  return out;
}

}  // namespace eichub::match
