// Reads a SkillNeed record into a match query.
#include "node/match/need_query.h"

#include <vector>

#include <fmt/format.h>

#include "node/catalog/change.h"

namespace eichub::match {

Status addNeedToQuery(const store::CatalogStore& store, const std::string& need_id,
                      MatchQuery& query) {
  EICHUB_ASSIGN_OR_RETURN(std::vector<store::RecordState> records,
                          store.queries().recordsById(need_id));
  std::vector<const store::RecordState*> needs;
  for (const store::RecordState& r : records) {
    if (r.key.kind == catalog::Kind::SKILL_NEED) needs.push_back(&r);
  }
  if (needs.empty()) return Status::NotFound(fmt::format("no SkillNeed {} in this store", need_id));
  if (needs.size() > 1) {
    return Status::InvalidArgument(
        fmt::format("{} SkillNeed records have id {} (several authors); name the skills instead",
                    needs.size(), need_id));
  }
  Status read = catalog::readRecord(needs[0]->body, [&query](schema::Record::Reader record) {
    auto need = record.getSkillNeed();
    for (auto uri : need.getSkills()) query.skills.emplace_back(uri.cStr());
    query.occupation = need.getOccupation().cStr();
    return Status::OK();
  });
  if (!read.ok()) return Status::Corruption("SkillNeed body does not decode", read.message());
  return Status::OK();
}

}  // namespace eichub::match
