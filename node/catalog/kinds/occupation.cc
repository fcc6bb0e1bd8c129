// Occupation: an ESCO occupation and the skills it needs; its id is the concept URI
// (docs/catalogue-jsonl.md "Occupation").
#include <array>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

bool isIscoCode(std::string_view s) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

constexpr StringRule kIscoRule{kMaxTokenBytes, Chars::kToken, isIscoCode,
                               "an ISCO-08 code of 1 to 4 digits"};

void readOccupation(ObjectReader& r, schema::Record::Builder record) {
  auto b = record.initOccupation();
  b.setUri(text(r.string("id", kIdRule, true)));
  if (auto s = r.string("code", kTokenRule); !s.empty()) b.setCode(text(s));
  if (auto s = r.string("iscoGroup", kIscoRule); !s.empty()) b.setIscoGroup(text(s));
  setLabels(readLabels(r), b);
  setSkillRefs(r.skillRefs("skills"), [&](unsigned n) { return b.initSkills(n); });
}

void writeOccupation(schema::Record::Reader record, nlohmann::json& o) {
  auto r = record.getOccupation();
  putText(o, "id", r.getUri());
  putText(o, "code", r.getCode());
  putText(o, "iscoGroup", r.getIscoGroup());
  putLabels(o, r);
  putSkillRefs(o, "skills", r.getSkills());
}

void identifyOccupation(schema::Record::Reader record, std::string& id, std::vector<std::string>&) {
  setId(id, record.getOccupation().getUri());
}

void searchOccupation(schema::Record::Reader record, SearchFields& out) {
  out.names = record.getOccupation().getPrefLabel();
  out.other_names = record.getOccupation().getAltLabels();
  addSkillUris(out.skills, record.getOccupation().getSkills());
}

constexpr std::array kOccupationAliases = {"occupation"sv};

}  // namespace

const KindInfo& occupationKind() {
  static constexpr KindInfo kInfo{.kind = Kind::OCCUPATION,
                                  .name = "Occupation",
                                  .aliases = kOccupationAliases,
                                  .member = schema::Record::OCCUPATION,
                                  .read_json = readOccupation,
                                  .write_json = writeOccupation,
                                  .identify = identifyOccupation,
                                  .search_fields = searchOccupation,
                                  .label_field = "prefLabel"};
  return kInfo;
}

}  // namespace eichub::catalog::internal
