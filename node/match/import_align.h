// Skills aligned at import: a ChangeSink between a file's reader and the publish that adds the
// aligner's suggestions to each learning resource naming no skill, marked as suggested.
#pragma once

#include <cstdint>

#include "node/catalog/change_batch.h"
#include "node/match/aligner.h"

namespace eichub::match {

// Lowest score attached at import (--min-score). Higher than the review default
// (kDefaultMinScore): nobody reviews these before peers see them, so only labels found whole in
// a title or as a phrase in a description pass (docs/matching.md "Skills aligned at import").
inline constexpr double kImportMinScore = 0.6;

// What one pass over a file aligned.
struct ImportAlignStats {
  uint64_t resources = 0;         // learning-resource upserts read
  uint64_t without_skills = 0;    // of those, naming no skill: the ones aligned
  uint64_t with_suggestions = 0;  // of those, given at least one suggestion
  uint64_t suggestions = 0;       // skills attached in all
};

// Hands every line or row on to next, with each LearningResource upsert whose teaches is empty
// replaced by the same record teaching the aligner's suggestions (relation optional,
// suggested, suggestedScore). A resource that names skills is passed on as read: the author's
// list is taken as complete. Holds one change at a time, so a streaming publish stays bounded;
// the aligner is deterministic, so both passes of publishStream see the same bodies.
// A record that cannot be read or rebuilt goes on as that line's error (strict or skip-bad
// decides). Borrows aligner, options and next, which must outlive it. Not thread-safe.
class ImportAligner : public catalog::ChangeSink {
 public:
  ImportAligner(const Aligner& aligner, const AlignOptions& options, catalog::ChangeSink& next);

  void countRead() override { next_.countRead(); }
  Status add(uint64_t line, Result<catalog::Change> change) override;
  Status reject(uint64_t line, const Status& reason) override { return next_.reject(line, reason); }

  const ImportAlignStats& stats() const { return stats_; }

 private:
  Result<catalog::Change> align(catalog::Change change);

  const Aligner& aligner_;
  const AlignOptions& options_;
  catalog::ChangeSink& next_;
  ImportAlignStats stats_;
};

}  // namespace eichub::match
