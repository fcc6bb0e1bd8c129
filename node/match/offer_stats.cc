// Offers per skill group and region: group levels by breadth-first search from the roots, each
// skill's groups at the chosen level by walking up, then one count per resource.
#include "node/match/offer_stats.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include <fmt/core.h>

namespace eichub::match {
namespace {

constexpr int kNoLevel = -1;

// Level of every group: shortest distance down from a group with no broader group.
std::vector<int> groupLevels(const SkillGraph& graph) {
  std::vector<int> level(graph.size(), kNoLevel);
  std::deque<SkillId> queue;
  for (SkillId id = 0; id < graph.size(); ++id) {
    const SkillNode& node = graph.node(id);
    bool root = node.group && std::none_of(node.broader.begin(), node.broader.end(),
                                           [&graph](SkillId b) { return graph.node(b).group; });
    if (root) {
      level[id] = 0;
      queue.push_back(id);
    }
  }
  while (!queue.empty()) {
    SkillId id = queue.front();
    queue.pop_front();
    for (SkillId child : graph.node(id).narrower) {
      if (graph.node(child).group && level[child] == kNoLevel) {
        level[child] = level[id] + 1;
        queue.push_back(child);
      }
    }
  }
  return level;
}

}  // namespace

Result<std::vector<GroupRegionCount>> offersPerGroupAndRegion(const MatchIndex& index, int level) {
  if (level < 0 || level > kMaxGroupLevel) {
    return Status::InvalidArgument(fmt::format("group level must be 0..{}", kMaxGroupLevel));
  }
  const SkillGraph& graph = index.graph();
  std::vector<int> levels = groupLevels(graph);
  // The groups at `level` above each skill, computed once per skill taught.
  std::map<SkillId, std::vector<SkillId>> groups_of;
  auto groupsOf = [&](SkillId skill) -> const std::vector<SkillId>& {
    auto it = groups_of.find(skill);
    if (it != groups_of.end()) return it->second;
    std::set<SkillId> found, seen = {skill};
    std::vector<SkillId> stack = {skill};
    while (!stack.empty()) {
      SkillId id = stack.back();
      stack.pop_back();
      if (levels[id] == level) {
        found.insert(id);
        continue;
      }
      for (SkillId up : graph.node(id).broader) {
        if (seen.insert(up).second) stack.push_back(up);
      }
    }
    return groups_of.emplace(skill, std::vector<SkillId>(found.begin(), found.end())).first->second;
  };
  std::map<std::pair<SkillId, std::string>, uint64_t> counts;
  for (const ResourceEntry& resource : index.resources()) {
    std::set<SkillId> groups;
    for (SkillId skill : resource.teaches) {
      const std::vector<SkillId>& g = groupsOf(skill);
      groups.insert(g.begin(), g.end());
    }
    for (SkillId group : groups) ++counts[{group, resource.region}];
  }
  std::vector<GroupRegionCount> out;
  for (const auto& [key, resources] : counts) {
    const SkillNode& node = graph.node(key.first);
    out.push_back({node.uri, node.label, key.second, resources});
  }
  std::sort(out.begin(), out.end(), [](const GroupRegionCount& a, const GroupRegionCount& b) {
    return std::tie(a.label, a.group, a.region) < std::tie(b.label, b.group, b.region);
  });
  return out;
}

}  // namespace eichub::match
