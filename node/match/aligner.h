// Aligner: suggests ESCO skills for a learning resource from its title and description, by
// finding the preferred and alternative labels of skills (in the resource's languages) among
// its words. Suggestions are for the publisher to review; nothing here changes a record.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "federation/common/result.h"
#include "node/store/catalog_store.h"
#include "schemas/catalog.capnp.h"

namespace eichub::match {

inline constexpr size_t kMaxSuggestions = 50;  // a review list, not every label that matched
inline constexpr size_t kDefaultSuggestions = 5;
inline constexpr double kDefaultMinScore = 0.5;

struct AlignOptions {
  size_t max_suggestions = kDefaultSuggestions;  // 1..kMaxSuggestions
  double min_score = kDefaultMinScore;           // 0..1
};

// What the aligner reads of a resource.
struct AlignInput {
  std::string id;
  std::vector<std::pair<std::string, std::string>> title;        // (lang, text)
  std::vector<std::pair<std::string, std::string>> description;  // (lang, text)
  std::vector<std::string> languages;                            // teaching languages
  std::vector<std::string> teaches;  // skill uris already stated: never suggested again
};

// The fields of a LearningResource record the aligner reads. record must be a checked body
// (catalog::RecordReader over a Change or a stored body). Errors: InvalidArgument when record
// is not a LearningResource, or does not decode.
Result<AlignInput> alignInputFromRecord(schema::Record::Reader record);

struct SkillSuggestion {
  std::string skill;          // uri
  std::string skill_label;    // the skill's preferred label in lang
  std::string matched_label;  // the label found (preferred or alternative)
  bool preferred = false;     // matched_label is the preferred label
  std::string lang;
  std::string field;                       // "title" or "description"
  bool phrase = false;                     // the label's words stand together, in order
  double score = 0;                        // 0..1
  std::vector<std::string> matched_words;  // the label's words found, normalised
};

struct AlignAnswer {
  std::string id;
  std::vector<SkillSuggestion> suggestions;  // best first (score, then uri)
  double best_score = 0;  // of every label found, before min_score and max_suggestions
  std::string note;       // why there is no suggestion, when there is none
};

struct AlignerStats {
  size_t skills = 0;
  size_t labels = 0;
  std::vector<std::string> languages;  // label languages, sorted
};

// Immutable after build(); align() is thread-safe.
class Aligner {
 public:
  // Indexes the preferred and alternative labels of every live Skill record in store.
  // Errors: IOError, Corruption from the store.
  static Result<std::unique_ptr<Aligner>> build(const store::CatalogStore& store);

  // Suggestions for one resource. Score of a label found: its information (sum over its words
  // of log(labels / labels holding the word), so rare words weigh more) mapped to 0..1, times
  // 0.75 when found only in the description, 0.6 when its words are scattered, 0.9 for an
  // alternative label; each skill keeps its best label. Errors: InvalidArgument for options out
  // of range.
  Result<AlignAnswer> align(const AlignInput& input, const AlignOptions& options) const;

  const AlignerStats& stats() const;

  struct Index;  // internal/label_index.h
  explicit Aligner(std::unique_ptr<Index> index);
  ~Aligner();
  Aligner(const Aligner&) = delete;
  Aligner& operator=(const Aligner&) = delete;

 private:
  std::unique_ptr<Index> index_;
};

}  // namespace eichub::match
