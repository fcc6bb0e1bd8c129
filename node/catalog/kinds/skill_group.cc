// SkillGroup: a node of ESCO's skill hierarchy; its id is the concept URI
// (docs/catalogue-jsonl.md "SkillGroup and OccupationGroup").
#include <array>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

void readSkillGroup(ObjectReader& r, schema::Record::Builder record) {
  readGroup(r, record.initSkillGroup());
}

void writeSkillGroup(schema::Record::Reader record, nlohmann::json& o) {
  auto r = record.getSkillGroup();
  putText(o, "id", r.getUri());
  putText(o, "code", r.getCode());
  putLabels(o, r);
}

void identifySkillGroup(schema::Record::Reader record, std::string& id, std::vector<std::string>&) {
  setId(id, record.getSkillGroup().getUri());
}

void searchSkillGroup(schema::Record::Reader record, SearchFields& out) {
  out.names = record.getSkillGroup().getPrefLabel();
  out.other_names = record.getSkillGroup().getAltLabels();
}

constexpr std::array kSkillGroupAliases = {"skillgroup"sv};

}  // namespace

const KindInfo& skillGroupKind() {
  static constexpr KindInfo kInfo{.kind = Kind::SKILL_GROUP,
                                  .name = "SkillGroup",
                                  .aliases = kSkillGroupAliases,
                                  .member = schema::Record::SKILL_GROUP,
                                  .read_json = readSkillGroup,
                                  .write_json = writeSkillGroup,
                                  .identify = identifySkillGroup,
                                  .search_fields = searchSkillGroup,
                                  .label_field = "prefLabel"};
  return kInfo;
}

}  // namespace eichub::catalog::internal
