// The JSON writers' shared puts.
#include "node/catalog/internal/kind_write.h"

#include <string>
#include <utility>

namespace eichub::catalog::internal {
namespace {

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

}  // namespace

void putText(nlohmann::json& o, const char* key, capnp::Text::Reader t) {
  if (t.size() > 0) o[key] = str(t);
}

void putLangTexts(nlohmann::json& o, const char* key, capnp::List<schema::LangText>::Reader list) {
  if (list.size() == 0) return;
  nlohmann::json m = nlohmann::json::object();
  for (auto e : list) m[str(e.getLang())] = str(e.getText());
  o[key] = std::move(m);
}

void putLangLists(nlohmann::json& o, const char* key, capnp::List<schema::LangText>::Reader list) {
  if (list.size() == 0) return;
  nlohmann::json m = nlohmann::json::object();
  for (auto e : list) m[str(e.getLang())].push_back(str(e.getText()));
  o[key] = std::move(m);
}

void putStrings(nlohmann::json& o, const char* key, capnp::List<capnp::Text>::Reader list) {
  if (list.size() == 0) return;
  nlohmann::json a = nlohmann::json::array();
  for (auto s : list) a.push_back(str(s));
  o[key] = std::move(a);
}

void putSkillRefs(nlohmann::json& o, const char* key, capnp::List<schema::SkillRef>::Reader list) {
  if (list.size() == 0) return;
  nlohmann::json a = nlohmann::json::array();
  for (auto ref : list) {
    nlohmann::json entry = {
        {"skill", str(ref.getSkill())},
        {"relation", ref.getRelation() == schema::Relation::OPTIONAL ? "optional" : "essential"}};
    if (ref.getSuggested()) {
      entry["suggested"] = true;
      entry["score"] = ref.getSuggestedScore() / 1000.0;
    }
    a.push_back(std::move(entry));
  }
  o[key] = std::move(a);
}

}  // namespace eichub::catalog::internal
