// OccupationGroup: an ISCO-08 group; its id is the concept URI
// (docs/catalogue-jsonl.md "SkillGroup and OccupationGroup").
#include <array>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

void readOccupationGroup(ObjectReader& r, schema::Record::Builder record) {
  readGroup(r, record.initOccupationGroup());
}

void writeOccupationGroup(schema::Record::Reader record, nlohmann::json& o) {
  auto r = record.getOccupationGroup();
  putText(o, "id", r.getUri());
  putText(o, "code", r.getCode());
  putLabels(o, r);
}

void identifyOccupationGroup(schema::Record::Reader record, std::string& id,
                             std::vector<std::string>&) {
  setId(id, record.getOccupationGroup().getUri());
}

void searchOccupationGroup(schema::Record::Reader record, SearchFields& out) {
  out.names = record.getOccupationGroup().getPrefLabel();
  out.other_names = record.getOccupationGroup().getAltLabels();
}

constexpr std::array kOccupationGroupAliases = {"occupationgroup"sv};

}  // namespace

const KindInfo& occupationGroupKind() {
  static constexpr KindInfo kInfo{.kind = Kind::OCCUPATION_GROUP,
                                  .name = "OccupationGroup",
                                  .aliases = kOccupationGroupAliases,
                                  .member = schema::Record::OCCUPATION_GROUP,
                                  .read_json = readOccupationGroup,
                                  .write_json = writeOccupationGroup,
                                  .identify = identifyOccupationGroup,
                                  .search_fields = searchOccupationGroup,
                                  .label_field = "prefLabel"};
  return kInfo;
}

}  // namespace eichub::catalog::internal
