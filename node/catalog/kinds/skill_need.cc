// SkillNeed: skills (or an occupation) a cluster's employers lack, where and how many
// (docs/catalogue-jsonl.md "SkillNeed"). It has no name: search finds it by its skills only.
#include <array>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

void readSkillNeed(ObjectReader& r, schema::Record::Builder record) {
  auto b = record.initSkillNeed();
  b.setId(text(r.string("id", kIdRule, true)));
  std::vector<std::string> skills = r.strings("skills", kRefRule);
  std::string occupation = r.string("occupation", kRefRule);
  if (!r.failed() && skills.empty() && occupation.empty()) {
    r.fail("skills", "missing: a SkillNeed names skills, an occupation or both");
  }
  setStrings(skills, [&](unsigned n) { return b.initSkills(n); });
  if (!occupation.empty()) b.setOccupation(text(occupation));
  if (auto s = r.string("region", kRegionRule); !s.empty()) b.setRegion(text(s));
  if (auto s = r.string("sector", kTokenRule); !s.empty()) b.setSector(text(s));
  if (auto n = r.integer("headcount", 1, kMaxHeadcount)) b.setHeadcount(static_cast<uint32_t>(*n));
  if (auto s = r.string("horizon", kShortLineRule); !s.empty()) b.setHorizon(text(s));
  setLangTexts(r.langTexts("note", kTextRule), [&](unsigned n) { return b.initNote(n); });
}

void writeSkillNeed(schema::Record::Reader record, nlohmann::json& o) {
  auto r = record.getSkillNeed();
  putText(o, "id", r.getId());
  putStrings(o, "skills", r.getSkills());
  putText(o, "occupation", r.getOccupation());
  putText(o, "region", r.getRegion());
  putText(o, "sector", r.getSector());
  if (r.getHeadcount() != 0) o["headcount"] = r.getHeadcount();
  putText(o, "horizon", r.getHorizon());
  putLangTexts(o, "note", r.getNote());
}

void identifySkillNeed(schema::Record::Reader record, std::string& id,
                       std::vector<std::string>& tags) {
  auto n = record.getSkillNeed();
  setId(id, n.getId());
  addTag(tags, "sector:", n.getSector());
  addTag(tags, "region:", n.getRegion());
  for (auto skill : n.getSkills()) addTag(tags, "skill:", skill);
}

void searchSkillNeed(schema::Record::Reader record, SearchFields& out) {
  for (auto skill : record.getSkillNeed().getSkills()) {
    if (skill.size() > 0) out.skills.emplace_back(skill.cStr(), skill.size());
  }
}

constexpr std::array kSkillNeedAliases = {"skillneed"sv, "need"sv};

}  // namespace

const KindInfo& skillNeedKind() {
  static constexpr KindInfo kInfo{.kind = Kind::SKILL_NEED,
                                  .name = "SkillNeed",
                                  .aliases = kSkillNeedAliases,
                                  .member = schema::Record::SKILL_NEED,
                                  .read_json = readSkillNeed,
                                  .write_json = writeSkillNeed,
                                  .identify = identifySkillNeed,
                                  .search_fields = searchSkillNeed};
  return kInfo;
}

}  // namespace eichub::catalog::internal
