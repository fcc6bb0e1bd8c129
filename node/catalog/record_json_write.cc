// Record -> JSON object (recordToJson): the shape changeFromJson reads, empty fields left out.
// Kept apart from the reading side so that each direction reads as one list of fields.
#include "node/catalog/record_json.h"

namespace eichub::catalog {

namespace {

using nlohmann::json;

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

void putText(json& o, const char* key, capnp::Text::Reader t) {
  if (t.size() > 0) o[key] = str(t);
}

void putLangTexts(json& o, const char* key, capnp::List<schema::LangText>::Reader list) {
  if (list.size() == 0) return;
  json m = json::object();
  for (auto e : list) m[str(e.getLang())] = str(e.getText());
  o[key] = std::move(m);
}

void putLangLists(json& o, const char* key, capnp::List<schema::LangText>::Reader list) {
  if (list.size() == 0) return;
  json m = json::object();
  for (auto e : list) m[str(e.getLang())].push_back(str(e.getText()));
  o[key] = std::move(m);
}

void putStrings(json& o, const char* key, capnp::List<capnp::Text>::Reader list) {
  if (list.size() == 0) return;
  json a = json::array();
  for (auto s : list) a.push_back(str(s));
  o[key] = std::move(a);
}

void putSkillRefs(json& o, const char* key, capnp::List<schema::SkillRef>::Reader list) {
  if (list.size() == 0) return;
  json a = json::array();
  for (auto ref : list) {
    json entry = {
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

template <typename Reader>
void putLabels(json& o, Reader r) {
  putLangTexts(o, "prefLabel", r.getPrefLabel());
  putLangLists(o, "altLabels", r.getAltLabels());
  putLangTexts(o, "description", r.getDescription());
  putStrings(o, "broader", r.getBroader());
}

const char* modeName(schema::Mode mode) {
  switch (mode) {
    case schema::Mode::ONLINE:
      return "online";
    case schema::Mode::ONSITE:
      return "onsite";
    case schema::Mode::BLENDED:
      return "blended";
    case schema::Mode::UNSPECIFIED:
      break;
  }
  return nullptr;
}

void putLearningResource(json& o, schema::LearningResource::Reader r) {
  putText(o, "id", r.getId());
  putLangTexts(o, "title", r.getTitle());
  putLangTexts(o, "description", r.getDescription());
  putText(o, "url", r.getUrl());
  putText(o, "provider", r.getProvider());
  putStrings(o, "languages", r.getLanguages());
  if (const char* mode = modeName(r.getMode())) o["mode"] = mode;
  if (r.getEqfLevel() != 0) o["eqfLevel"] = r.getEqfLevel();
  if (r.getDurationHours() != 0) o["durationHours"] = r.getDurationHours();
  if (r.hasPrice()) {
    o["price"] = {{"amount", static_cast<double>(r.getPrice().getAmountCents()) / 100.0},
                  {"currency", str(r.getPrice().getCurrency())}};
  }
  putText(o, "licence", r.getLicence());
  putSkillRefs(o, "teaches", r.getTeaches());
  putStrings(o, "sectors", r.getSectors());
  putText(o, "region", r.getRegion());
  putText(o, "validFrom", r.getValidFrom());
  putText(o, "validUntil", r.getValidUntil());
  putLangLists(o, "keywords", r.getKeywords());
}

}  // namespace

json recordToJson(schema::Record::Reader record) {
  json o = json::object();
  switch (record.which()) {
    case schema::Record::SKILL: {
      auto r = record.getSkill();
      o["kind"] = "Skill";
      putText(o, "id", r.getUri());
      putText(o, "skillType", r.getSkillType());
      putText(o, "reuseLevel", r.getReuseLevel());
      putLabels(o, r);
      putSkillRefs(o, "related", r.getRelated());
      putText(o, "status", r.getStatus());
      return o;
    }
    case schema::Record::SKILL_GROUP: {
      auto r = record.getSkillGroup();
      o["kind"] = "SkillGroup";
      putText(o, "id", r.getUri());
      putText(o, "code", r.getCode());
      putLabels(o, r);
      return o;
    }
    case schema::Record::OCCUPATION: {
      auto r = record.getOccupation();
      o["kind"] = "Occupation";
      putText(o, "id", r.getUri());
      putText(o, "code", r.getCode());
      putText(o, "iscoGroup", r.getIscoGroup());
      putLabels(o, r);
      putSkillRefs(o, "skills", r.getSkills());
      return o;
    }
    case schema::Record::OCCUPATION_GROUP: {
      auto r = record.getOccupationGroup();
      o["kind"] = "OccupationGroup";
      putText(o, "id", r.getUri());
      putText(o, "code", r.getCode());
      putLabels(o, r);
      return o;
    }
    case schema::Record::LEARNING_RESOURCE:
      o["kind"] = "LearningResource";
      putLearningResource(o, record.getLearningResource());
      return o;
    case schema::Record::PROVIDER: {
      auto r = record.getProvider();
      o["kind"] = "Provider";
      putText(o, "id", r.getId());
      putLangTexts(o, "name", r.getName());
      putText(o, "providerKind", r.getProviderKind());
      putText(o, "region", r.getRegion());
      putText(o, "url", r.getUrl());
      return o;
    }
    case schema::Record::CLUSTER_PROFILE: {
      auto r = record.getClusterProfile();
      o["kind"] = "ClusterProfile";
      putText(o, "id", r.getId());
      putLangTexts(o, "name", r.getName());
      putText(o, "region", r.getRegion());
      putStrings(o, "sectors", r.getSectors());
      putText(o, "contact", r.getContact());
      putText(o, "peerEndpoint", r.getPeerEndpoint());
      putText(o, "transportKey", r.getTransportKey());
      return o;
    }
    case schema::Record::SKILL_NEED: {
      auto r = record.getSkillNeed();
      o["kind"] = "SkillNeed";
      putText(o, "id", r.getId());
      putStrings(o, "skills", r.getSkills());
      putText(o, "occupation", r.getOccupation());
      putText(o, "region", r.getRegion());
      putText(o, "sector", r.getSector());
      if (r.getHeadcount() != 0) o["headcount"] = r.getHeadcount();
      putText(o, "horizon", r.getHorizon());
      putLangTexts(o, "note", r.getNote());
      return o;
    }
  }
  return nullptr;
}

}  // namespace eichub::catalog
