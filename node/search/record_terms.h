// What the search and skill indexes take from a catalogue record: its labels and titles, each
// with a field weight and a language, the index terms derived from them, and its skill uris.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "federation/common/result.h"
#include "schemas/catalog.capnp.h"

namespace eichub::search {

// Field weights: a word in the preferred label, title or name counts twice as much as one in
// an alternative label or keyword.
inline constexpr uint8_t kLabelWeight = 2;
inline constexpr uint8_t kAltLabelWeight = 1;
// Distinct terms indexed per record; later ones are ignored. A record is bounded by
// feed::kMaxBodyBytes anyway; this bounds the index writes one update can cause.
inline constexpr size_t kMaxTermsPerRecord = 4096;
// Skill uris indexed per record, for the same reason.
inline constexpr size_t kMaxSkillsPerRecord = 4096;

// One text to index. Views: the bytes belong to the record message (recordTexts) or to whoever
// filled it in.
struct IndexText {
  std::string_view text;
  std::string_view lang;  // BCP 47 tag as the record gives it; may be empty
  uint8_t weight = kAltLabelWeight;
};

struct RecordTexts {
  std::vector<IndexText> texts;  // labels, alternative labels, titles, names; no descriptions
  std::vector<std::string_view> skills;  // skill uris referenced (teaches, skills), distinct,
                                         // sorted
};

// The texts of record: its names (kLabelWeight) and other names (kAltLabelWeight), and the
// skill uris it refers to, as its kind's registry entry gives them (catalog::KindInfo::
// search_fields, node/catalog/kinds/: e.g. a Skill's prefLabel and altLabels, a
// LearningResource's title, keywords and teaches). Every language is taken. The texts and skills
// are views into record's message: valid while it is, and nothing is copied. Errors:
// InvalidArgument when reading the message fails (Cap'n Proto validates lazily; its exception is
// caught here).
Result<RecordTexts> recordTexts(schema::Record::Reader record);

// One posting of a record in the text index.
struct Term {
  std::string token;
  uint8_t weight = 0;        // the best weight among the texts holding the token
  uint16_t label_bytes = 0;  // byte length of the shortest text of that weight holding it
  auto operator<=>(const Term&) const = default;
};

// The distinct tokens of texts (see tokenize), sorted by token, at most kMaxTermsPerRecord.
// A pure function of texts: removing a record's old terms recomputes them from its old body.
std::vector<Term> indexTerms(const RecordTexts& texts);

// True when every token of tokens occurs in the texts whose language is lang (compared without
// case; "en" also matches "en-GB").
bool langTextsContain(const RecordTexts& texts, std::string_view lang,
                      const std::vector<std::string>& tokens);

}  // namespace eichub::search
