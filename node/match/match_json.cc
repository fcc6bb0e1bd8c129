// JSON forms of the match module's answers.
#include "node/match/match_json.h"

#include "node/catalog/record_json.h"

namespace eichub::match {
namespace {

nlohmann::json keyJson(const store::RecordKey& key) {
  return {{"kind", std::string(catalog::kindName(key.kind))},
          {"author", toHex(key.author)},
          {"id", key.id}};
}

}  // namespace

nlohmann::json toJson(const MatchAnswer& answer) {
  nlohmann::json need = nlohmann::json::array();
  for (const NeedSkill& n : answer.need) {
    need.push_back({{"skill", n.uri},
                    {"label", n.label},
                    {"relation", n.relation},
                    {"weight", n.weight},
                    {"offers", n.offers}});
  }
  nlohmann::json offers = nlohmann::json::array();
  for (const RankedOffer& o : answer.offers) {
    nlohmann::json reasons = nlohmann::json::array();
    for (const MatchReason& r : o.reasons) {
      nlohmann::json reason = {{"need_skill", r.need_skill},
                               {"taught_skill", r.taught_skill},
                               {"taught_label", r.taught_label},
                               {"via", std::string(viaName(r.via))},
                               {"credit", r.credit}};
      if (r.via == Via::kNarrower) reason["depth"] = r.depth;
      reasons.push_back(std::move(reason));
    }
    offers.push_back({{"record", keyJson(o.key)},
                      {"title", o.title},
                      {"score", o.score},
                      {"need_skills", o.need_skills},
                      {"reasons", std::move(reasons)}});
  }
  nlohmann::json cover = nlohmann::json::array();
  for (const CoverPick& p : answer.cover) {
    cover.push_back({{"record", keyJson(p.key)}, {"title", p.title}, {"covers", p.covers}});
  }
  nlohmann::json doc = {
      {"need", std::move(need)},         {"unknown_skills", answer.unknown_skills},
      {"candidates", answer.candidates}, {"offers", std::move(offers)},
      {"cover", std::move(cover)},       {"uncovered", answer.uncovered}};
  if (!answer.occupation.empty()) doc["occupation"] = answer.occupation;
  if (!answer.note.empty()) doc["note"] = answer.note;
  return doc;
}

nlohmann::json toJson(const GapReport& report) {
  nlohmann::json gaps = nlohmann::json::array();
  for (const GapEntry& g : report.gaps) {
    gaps.push_back({{"region", g.region},
                    {"sector", g.sector},
                    {"skill", g.skill},
                    {"label", g.label},
                    {"demand", g.demand},
                    {"needs", g.needs},
                    {"offers", g.offers},
                    {"offers_in_region", g.offers_in_region}});
  }
  nlohmann::json doc = {{"needs_read", report.needs_read},
                        {"skills_needed", report.skills_needed},
                        {"gaps", std::move(gaps)},
                        {"truncated", report.truncated},
                        {"unknown_occupations", report.unknown_occupations}};
  if (!report.note.empty()) doc["note"] = report.note;
  return doc;
}

nlohmann::json toJson(const AlignAnswer& answer) {
  nlohmann::json suggestions = nlohmann::json::array();
  for (const SkillSuggestion& s : answer.suggestions) {
    suggestions.push_back({{"skill", s.skill},
                           {"skill_label", s.skill_label},
                           {"matched_label", s.matched_label},
                           {"preferred", s.preferred},
                           {"lang", s.lang},
                           {"field", s.field},
                           {"phrase", s.phrase},
                           {"score", s.score},
                           {"matched_words", s.matched_words}});
  }
  nlohmann::json doc = {{"id", answer.id}, {"suggestions", std::move(suggestions)}};
  if (!answer.note.empty()) doc["note"] = answer.note;
  return doc;
}

nlohmann::json toJson(const std::vector<GroupRegionCount>& counts) {
  nlohmann::json rows = nlohmann::json::array();
  for (const GroupRegionCount& c : counts) {
    rows.push_back(
        {{"group", c.group}, {"label", c.label}, {"region", c.region}, {"resources", c.resources}});
  }
  return {{"offers_per_group_and_region", std::move(rows)}};
}

nlohmann::json needsToJson(const MatchIndex& index) {
  nlohmann::json needs = nlohmann::json::array();
  for (const NeedEntry& need : index.needs()) {
    nlohmann::json skills = nlohmann::json::array();
    for (SkillId skill : need.skills) skills.push_back(index.graph().node(skill).uri);
    needs.push_back({{"record", keyJson(need.key)},
                     {"skills", std::move(skills)},
                     {"occupation", need.occupation},
                     {"region", need.region},
                     {"sector", need.sector},
                     {"headcount", need.headcount}});
  }
  return {{"needs", std::move(needs)}};
}

}  // namespace eichub::match
