// What the kinds' JSON readers (node/catalog/kinds/<kind>.cc, KindInfo::read_json) share: the
// string rules of docs/catalogue-jsonl.md's types, and setting read values into a builder.
#pragma once

#include <string>
#include <vector>

#include "federation/feed/update.h"
#include "node/catalog/internal/json_fields.h"
#include "node/catalog/record_json.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog::internal {

inline constexpr StringRule kIdRule{feed::kMaxIdBytes, Chars::kToken};
inline constexpr StringRule kRefRule{kMaxUriBytes, Chars::kToken};
inline constexpr StringRule kLabelRule{kMaxLabelBytes, Chars::kLine};
inline constexpr StringRule kTextRule{kMaxTextBytes, Chars::kText};
inline constexpr StringRule kTokenRule{kMaxTokenBytes, Chars::kToken};
inline constexpr StringRule kShortLineRule{kMaxTokenBytes, Chars::kLine};
inline constexpr StringRule kRegionRule{kMaxTokenBytes, Chars::kToken, isNutsCode,
                                        "a NUTS code such as \"UKE42\""};
inline constexpr StringRule kLanguageRule{kMaxTokenBytes, Chars::kToken, isLanguageTag,
                                          "a language tag such as \"en\" or \"pt-BR\""};
inline constexpr StringRule kUrlRule{kMaxUriBytes, Chars::kToken, isWebUrl,
                                     "an http:// or https:// URL"};
inline constexpr StringRule kDateRule{kMaxTokenBytes, Chars::kToken, isDate, "a date YYYY-MM-DD"};

// A view of s for a builder's setter, which copies it.
inline capnp::Text::Reader text(const std::string& s) { return {s.data(), s.size()}; }

// Each sets nothing for an empty list; init(n) makes the builder's list of n entries.
template <typename Init>
void setLangTexts(const std::vector<LangTextValue>& values, Init init) {
  if (values.empty()) return;
  auto list = init(static_cast<unsigned>(values.size()));
  for (unsigned i = 0; i < values.size(); ++i) {
    list[i].setLang(text(values[i].lang));
    list[i].setText(text(values[i].text));
  }
}

template <typename Init>
void setStrings(const std::vector<std::string>& values, Init init) {
  if (values.empty()) return;
  auto list = init(static_cast<unsigned>(values.size()));
  for (unsigned i = 0; i < values.size(); ++i) list.set(i, text(values[i]));
}

template <typename Init>
void setSkillRefs(const std::vector<SkillRefValue>& values, Init init) {
  if (values.empty()) return;
  auto list = init(static_cast<unsigned>(values.size()));
  for (unsigned i = 0; i < values.size(); ++i) {
    list[i].setSkill(text(values[i].skill));
    list[i].setRelation(values[i].relation);
    list[i].setSuggested(values[i].suggested);
    list[i].setSuggestedScore(values[i].suggested_score);
  }
}

// The label fields SkillGroup, OccupationGroup, Occupation and Skill share.
struct Labels {
  std::vector<LangTextValue> pref, alt, description;
  std::vector<std::string> broader;
};
// Reads prefLabel (required), altLabels, description and broader, in that order.
Labels readLabels(ObjectReader& r);
template <typename Builder>
void setLabels(const Labels& l, Builder b) {
  setLangTexts(l.pref, [&](unsigned n) { return b.initPrefLabel(n); });
  setLangTexts(l.alt, [&](unsigned n) { return b.initAltLabels(n); });
  setLangTexts(l.description, [&](unsigned n) { return b.initDescription(n); });
  setStrings(l.broader, [&](unsigned n) { return b.initBroader(n); });
}

// SkillGroup and OccupationGroup have the same fields: id (the concept URI), code, labels.
template <typename Builder>
void readGroup(ObjectReader& r, Builder b) {
  b.setUri(text(r.string("id", kIdRule, true)));
  if (auto s = r.string("code", kTokenRule); !s.empty()) b.setCode(text(s));
  setLabels(readLabels(r), b);
}

}  // namespace eichub::catalog::internal
