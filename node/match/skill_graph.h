// SkillGraph: the ESCO skill hierarchy as numbered nodes: broader/narrower links from Skill and
// SkillGroup records, and skill-skill relations, for matching to walk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eichub::match {

// A skill's number in one SkillGraph; numbers follow first sight while building, so they are
// local to one index and never shown.
using SkillId = uint32_t;

struct SkillNode {
  std::string uri;
  std::string label;     // preferred label in English, else the first language held; "" if none
  bool defined = false;  // a Skill or SkillGroup record names it (not only a link to it)
  bool group = false;    // a SkillGroup
  std::vector<SkillId> broader;
  std::vector<SkillId> narrower;
  std::vector<SkillId> related;  // skill-skill relations, either direction
};

// Value type; not thread-safe to build, safe to read from many threads once built.
class SkillGraph {
 public:
  // The node of uri, added (undefined, without links) if new.
  SkillId intern(std::string_view uri);
  std::optional<SkillId> find(std::string_view uri) const;
  SkillNode& node(SkillId id) { return nodes_[id]; }
  const SkillNode& node(SkillId id) const { return nodes_[id]; }
  size_t size() const { return nodes_.size(); }

  // Links child to parent (both directions); a repeated link is kept once.
  void addBroader(SkillId child, SkillId parent);
  // Relates a and b (both directions); a repeated relation is kept once.
  void addRelated(SkillId a, SkillId b);

 private:
  std::vector<SkillNode> nodes_;
  std::unordered_map<std::string, SkillId> by_uri_;
};

}  // namespace eichub::match
