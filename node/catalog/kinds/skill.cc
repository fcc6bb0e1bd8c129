// Skill: an ESCO skill/competence or knowledge concept, or a local addition; its id is the
// concept URI (docs/catalogue-jsonl.md "Skill").
#include <array>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

void readSkill(ObjectReader& r, schema::Record::Builder record) {
  auto b = record.initSkill();
  b.setUri(text(r.string("id", kIdRule, true)));
  if (auto s = r.oneOf("skillType", {"skill/competence", "knowledge"}); !s.empty()) {
    b.setSkillType(text(s));
  }
  if (auto s = r.oneOf("reuseLevel",
                       {"transversal", "cross-sector", "sector-specific", "occupation-specific"});
      !s.empty()) {
    b.setReuseLevel(text(s));
  }
  setLabels(readLabels(r), b);
  setSkillRefs(r.skillRefs("related"), [&](unsigned n) { return b.initRelated(n); });
  if (auto s = r.string("status", kTokenRule); !s.empty()) b.setStatus(text(s));
}

void writeSkill(schema::Record::Reader record, nlohmann::json& o) {
  auto r = record.getSkill();
  putText(o, "id", r.getUri());
  putText(o, "skillType", r.getSkillType());
  putText(o, "reuseLevel", r.getReuseLevel());
  putLabels(o, r);
  putSkillRefs(o, "related", r.getRelated());
  putText(o, "status", r.getStatus());
}

void identifySkill(schema::Record::Reader record, std::string& id, std::vector<std::string>&) {
  setId(id, record.getSkill().getUri());
}

void searchSkill(schema::Record::Reader record, SearchFields& out) {
  out.names = record.getSkill().getPrefLabel();
  out.other_names = record.getSkill().getAltLabels();
}

constexpr std::array kSkillAliases = {"skill"sv};

}  // namespace

const KindInfo& skillKind() {
  static constexpr KindInfo kInfo{.kind = Kind::SKILL,
                                  .name = "Skill",
                                  .aliases = kSkillAliases,
                                  .member = schema::Record::SKILL,
                                  .read_json = readSkill,
                                  .write_json = writeSkill,
                                  .identify = identifySkill,
                                  .search_fields = searchSkill,
                                  .label_field = "prefLabel"};
  return kInfo;
}

}  // namespace eichub::catalog::internal
