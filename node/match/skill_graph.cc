// SkillGraph: interning of skill uris and the links between them.
#include "node/match/skill_graph.h"

#include <algorithm>

namespace eichub::match {
namespace {

void addOnce(std::vector<SkillId>& list, SkillId id) {
  if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
}

}  // namespace

SkillId SkillGraph::intern(std::string_view uri) {
  auto it = by_uri_.find(std::string(uri));
  if (it != by_uri_.end()) return it->second;
  SkillId id = static_cast<SkillId>(nodes_.size());
  nodes_.push_back(SkillNode{std::string(uri), "", false, false, {}, {}, {}});
  by_uri_.emplace(std::string(uri), id);
  return id;
}

std::optional<SkillId> SkillGraph::find(std::string_view uri) const {
  auto it = by_uri_.find(std::string(uri));
  if (it == by_uri_.end()) return std::nullopt;
  return it->second;
}

void SkillGraph::addBroader(SkillId child, SkillId parent) {
  if (child == parent) return;
  addOnce(nodes_[child].broader, parent);
  addOnce(nodes_[parent].narrower, child);
}

void SkillGraph::addRelated(SkillId a, SkillId b) {
  if (a == b) return;
  addOnce(nodes_[a].related, b);
  addOnce(nodes_[b].related, a);
}

}  // namespace eichub::match
