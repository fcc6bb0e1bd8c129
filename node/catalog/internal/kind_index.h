// What the kinds' identify and search_fields (node/catalog/kinds/<kind>.cc) share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "node/catalog/kinds.h"

namespace eichub::catalog::internal {

inline void setId(std::string& id, capnp::Text::Reader text) {
  id.assign(text.begin(), text.end());
}

// Adds prefix + value ("region:UKE42"); nothing for an empty value.
inline void addTag(std::vector<std::string>& tags, std::string_view prefix,
                   capnp::Text::Reader value) {
  if (value.size() == 0) return;
  std::string tag(prefix);
  tag.append(value.begin(), value.end());
  tags.push_back(std::move(tag));
}

inline void addSkillTags(std::vector<std::string>& tags,
                         capnp::List<schema::SkillRef>::Reader refs) {
  for (auto ref : refs) addTag(tags, "skill:", ref.getSkill());
}

// The non-empty skill uris of refs, as views into the record's message.
inline void addSkillUris(std::vector<std::string_view>& uris,
                         capnp::List<schema::SkillRef>::Reader refs) {
  for (auto ref : refs) {
    if (ref.getSkill().size() > 0) uris.emplace_back(ref.getSkill().cStr(), ref.getSkill().size());
  }
}

}  // namespace eichub::catalog::internal
