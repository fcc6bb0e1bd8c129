// Index texts and terms of catalogue records. Reading a Cap'n Proto message may throw
// kj::Exception (lazy validation); recordTexts() is the adapter that turns it into a Status.
#include "node/search/record_terms.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include <kj/exception.h>

#include "node/search/tokenize.h"

namespace eichub::search {
namespace {

std::string str(capnp::Text::Reader text) { return std::string(text.cStr(), text.size()); }

void addTexts(capnp::List<schema::LangText>::Reader list, uint8_t weight, RecordTexts& out) {
  for (auto item : list) out.texts.push_back({str(item.getText()), str(item.getLang()), weight});
}

void addSkillRefs(capnp::List<schema::SkillRef>::Reader list, std::set<std::string>& skills) {
  for (auto ref : list) {
    if (skills.size() >= kMaxSkillsPerRecord) return;
    if (ref.getSkill().size() > 0) skills.insert(str(ref.getSkill()));
  }
}

void collect(schema::Record::Reader record, RecordTexts& out) {
  std::set<std::string> skills;
  switch (record.which()) {
    case schema::Record::SKILL:
      addTexts(record.getSkill().getPrefLabel(), kLabelWeight, out);
      addTexts(record.getSkill().getAltLabels(), kAltLabelWeight, out);
      break;
    case schema::Record::SKILL_GROUP:
      addTexts(record.getSkillGroup().getPrefLabel(), kLabelWeight, out);
      addTexts(record.getSkillGroup().getAltLabels(), kAltLabelWeight, out);
      break;
    case schema::Record::OCCUPATION:
      addTexts(record.getOccupation().getPrefLabel(), kLabelWeight, out);
      addTexts(record.getOccupation().getAltLabels(), kAltLabelWeight, out);
      addSkillRefs(record.getOccupation().getSkills(), skills);
      break;
    case schema::Record::OCCUPATION_GROUP:
      addTexts(record.getOccupationGroup().getPrefLabel(), kLabelWeight, out);
      addTexts(record.getOccupationGroup().getAltLabels(), kAltLabelWeight, out);
      break;
    case schema::Record::LEARNING_RESOURCE:
      addTexts(record.getLearningResource().getTitle(), kLabelWeight, out);
      addTexts(record.getLearningResource().getKeywords(), kAltLabelWeight, out);
      addSkillRefs(record.getLearningResource().getTeaches(), skills);
      break;
    case schema::Record::PROVIDER:
      addTexts(record.getProvider().getName(), kLabelWeight, out);
      break;
    case schema::Record::CLUSTER_PROFILE:
      addTexts(record.getClusterProfile().getName(), kLabelWeight, out);
      break;
    case schema::Record::SKILL_NEED:
      for (auto skill : record.getSkillNeed().getSkills()) {
        if (skills.size() >= kMaxSkillsPerRecord) break;
        if (skill.size() > 0) skills.insert(str(skill));
      }
      break;
  }
  out.skills.assign(skills.begin(), skills.end());
}

bool langMatches(std::string_view text_lang, std::string_view lang) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  if (text_lang.size() < lang.size()) return false;
  for (size_t i = 0; i < lang.size(); ++i) {
    if (lower(text_lang[i]) != lower(lang[i])) return false;
  }
  return text_lang.size() == lang.size() || text_lang[lang.size()] == '-';
}

}  // namespace

Result<RecordTexts> recordTexts(schema::Record::Reader record) {
  RecordTexts out;
  try {
    collect(record, out);
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed record", e.getDescription().cStr());
  }
  return out;
}

std::vector<Term> indexTerms(const RecordTexts& texts) {
  std::map<std::string, Term> terms;
  for (const IndexText& text : texts.texts) {
    const auto label_bytes = static_cast<uint16_t>(
        std::min<size_t>(text.text.size(), std::numeric_limits<uint16_t>::max()));
    for (std::string& token : tokenize(text.text)) {
      auto it = terms.find(token);
      if (it == terms.end()) {
        if (terms.size() >= kMaxTermsPerRecord) continue;
        Term term{token, text.weight, label_bytes};
        terms.emplace(std::move(token), std::move(term));
        continue;
      }
      Term& term = it->second;
      if (text.weight > term.weight) {
        term.weight = text.weight;
        term.label_bytes = label_bytes;
      } else if (text.weight == term.weight) {
        term.label_bytes = std::min(term.label_bytes, label_bytes);
      }
    }
  }
  std::vector<Term> out;
  out.reserve(terms.size());
  for (auto& [token, term] : terms) out.push_back(std::move(term));
  return out;
}

bool langTextsContain(const RecordTexts& texts, std::string_view lang,
                      const std::vector<std::string>& tokens) {
  std::set<std::string> found;
  for (const IndexText& text : texts.texts) {
    if (!langMatches(text.lang, lang)) continue;
    for (std::string& token : tokenize(text.text)) found.insert(std::move(token));
  }
  return std::all_of(tokens.begin(), tokens.end(),
                     [&found](const std::string& t) { return found.count(t) > 0; });
}

}  // namespace eichub::search
