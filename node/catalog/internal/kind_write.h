// What the kinds' JSON writers (node/catalog/kinds/<kind>.cc, KindInfo::write_json) share: each
// put leaves out an empty field, so the JSON holds only what the record states.
#pragma once

#include <nlohmann/json.hpp>

#include "schemas/catalog.capnp.h"

namespace eichub::catalog::internal {

void putText(nlohmann::json& o, const char* key, capnp::Text::Reader t);
// {"en":"..."}; a language given twice keeps its last text.
void putLangTexts(nlohmann::json& o, const char* key, capnp::List<schema::LangText>::Reader list);
// {"en":["...","..."]}.
void putLangLists(nlohmann::json& o, const char* key, capnp::List<schema::LangText>::Reader list);
void putStrings(nlohmann::json& o, const char* key, capnp::List<capnp::Text>::Reader list);
// [{"skill":...,"relation":...}], with "suggested" and "score" when the aligner suggested it.
void putSkillRefs(nlohmann::json& o, const char* key, capnp::List<schema::SkillRef>::Reader list);

// The label fields SkillGroup, OccupationGroup, Occupation and Skill share.
template <typename Reader>
void putLabels(nlohmann::json& o, Reader r) {
  putLangTexts(o, "prefLabel", r.getPrefLabel());
  putLangLists(o, "altLabels", r.getAltLabels());
  putLangTexts(o, "description", r.getDescription());
  putStrings(o, "broader", r.getBroader());
}

}  // namespace eichub::catalog::internal
