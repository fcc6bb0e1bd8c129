// ImportAligner: rebuilds a resource that names no skill with the aligner's suggestions.
#include "node/match/import_align.h"

#include <cmath>
#include <optional>
#include <utility>

#include <capnp/message.h>

namespace eichub::match {

ImportAligner::ImportAligner(const Aligner& aligner, const AlignOptions& options,
                             catalog::ChangeSink& next)
    : aligner_(aligner), options_(options), next_(next) {}

Status ImportAligner::add(uint64_t line, Result<catalog::Change> change) {
  if (change.ok() && change->kind == catalog::Kind::LEARNING_RESOURCE &&
      change->op == feed::Op::UPSERT) {
    change = align(std::move(change).value());
  }
  return next_.add(line, std::move(change));
}

Result<catalog::Change> ImportAligner::align(catalog::Change change) {
  ++stats_.resources;
  std::optional<catalog::Change> rebuilt;
  Status read = catalog::readRecord(change.body, [&](schema::Record::Reader record) -> Status {
    if (record.getLearningResource().getTeaches().size() != 0) return Status::OK();
    ++stats_.without_skills;
    EICHUB_ASSIGN_OR_RETURN(AlignInput input, alignInputFromRecord(record));
    EICHUB_ASSIGN_OR_RETURN(AlignAnswer answer, aligner_.align(input, options_));
    if (answer.suggestions.empty()) return Status::OK();
    capnp::MallocMessageBuilder message;
    message.setRoot(record);
    auto teaches = message.getRoot<schema::Record>().getLearningResource().initTeaches(
        static_cast<unsigned>(answer.suggestions.size()));
    for (unsigned i = 0; i < teaches.size(); ++i) {
      const SkillSuggestion& s = answer.suggestions[i];
      teaches[i].setSkill(capnp::Text::Reader(s.skill.data(), s.skill.size()));
      teaches[i].setRelation(schema::Relation::OPTIONAL);
      teaches[i].setSuggested(true);
      teaches[i].setSuggestedScore(static_cast<uint16_t>(std::lround(s.score * 1000)));
    }
    EICHUB_ASSIGN_OR_RETURN(
        rebuilt, catalog::changeFromRecord(message.getRoot<schema::Record>().asReader()));
    ++stats_.with_suggestions;
    stats_.suggestions += answer.suggestions.size();
    return Status::OK();
  });
  if (!read.ok()) return read.withContext("aligning " + change.id);
  if (!rebuilt) return change;
  return std::move(*rebuilt);
}

}  // namespace eichub::match
