// Aligner: building the label index from the store's Skill records, and aligning one resource.
#include "node/match/aligner.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/core.h>

#include "node/catalog/change.h"
#include "node/match/internal/label_index.h"
#include "node/search/tokenize.h"

namespace eichub::match {
namespace {

// Information (sum of idf) at which a label scores 1 - 1/e: one rare word, or two common ones.
constexpr double kInformationScale = 6.0;
constexpr double kDescriptionFactor = 0.75;
constexpr double kScatteredFactor = 0.6;
constexpr double kAlternativeFactor = 0.9;

// One field's words, as label word ids (-1 for words no label holds), in text order.
struct FieldWords {
  std::vector<int64_t> sequence;
  std::unordered_set<uint32_t> present;

  FieldWords(const Aligner::Index& index, std::string_view text) {
    for (const std::string& token : search::tokenize(text)) {
      int64_t id = index.wordId(token);
      sequence.push_back(id);
      if (id >= 0) present.insert(static_cast<uint32_t>(id));
    }
  }
  bool holdsAll(const std::vector<uint32_t>& words) const {
    return std::all_of(words.begin(), words.end(),
                       [this](uint32_t w) { return present.count(w) > 0; });
  }
  bool holdsPhrase(const std::vector<uint32_t>& words) const {
    if (words.size() > sequence.size()) return false;
    for (size_t start = 0; start + words.size() <= sequence.size(); ++start) {
      bool all = true;
      for (size_t k = 0; k < words.size() && all; ++k) {
        all = sequence[start + k] == static_cast<int64_t>(words[k]);
      }
      if (all) return true;
    }
    return false;
  }
};

std::string textIn(const std::vector<std::pair<std::string, std::string>>& texts,
                   const std::string& lang) {
  for (const auto& [l, text] : texts) {
    if (l == lang) return text;
  }
  return "";
}

struct Found {
  double score = 0;
  const char* field = "";
  bool phrase = false;
};

// The best way label appears in the title or description, or score 0 when it does not.
Found place(const Aligner::Index::Label& label, const FieldWords& title,
            const FieldWords& description) {
  double base = 1 - std::exp(-label.information / kInformationScale);
  if (!label.preferred) base *= kAlternativeFactor;
  Found best;
  auto consider = [&best](double score, const char* field, bool phrase) {
    if (score > best.score) best = {score, field, phrase};
  };
  bool in_title = title.holdsAll(label.words);
  bool in_description = description.holdsAll(label.words);
  if (in_title) {
    bool phrase = title.holdsPhrase(label.words);
    consider(base * (phrase ? 1.0 : kScatteredFactor), "title", phrase);
  }
  if (in_description) {
    bool phrase = description.holdsPhrase(label.words);
    consider(base * kDescriptionFactor * (phrase ? 1.0 : kScatteredFactor), "description", phrase);
  }
  if (!in_title && !in_description) {
    bool split = std::all_of(label.words.begin(), label.words.end(), [&](uint32_t w) {
      return title.present.count(w) > 0 || description.present.count(w) > 0;
    });
    if (split) consider(base * kDescriptionFactor * kScatteredFactor, "description", false);
  }
  return best;
}

}  // namespace

Result<AlignInput> alignInputFromRecord(schema::Record::Reader record) {
  if (record.which() != schema::Record::LEARNING_RESOURCE) {
    return Status::InvalidArgument("not a LearningResource");
  }
  AlignInput input;
  EICHUB_RETURN_IF_ERROR(catalog::readRecord(record, [&input](schema::Record::Reader reading) {
    auto lr = reading.getLearningResource();
    input.id = lr.getId().cStr();
    for (auto t : lr.getTitle()) input.title.emplace_back(t.getLang().cStr(), t.getText().cStr());
    for (auto t : lr.getDescription()) {
      input.description.emplace_back(t.getLang().cStr(), t.getText().cStr());
    }
    for (auto l : lr.getLanguages()) input.languages.emplace_back(l.cStr());
    for (auto ref : lr.getTeaches()) input.teaches.emplace_back(ref.getSkill().cStr());
    return Status::OK();
  }));
  return input;
}

Result<std::unique_ptr<Aligner>> Aligner::build(const store::CatalogStore& store) {
  auto index = std::make_unique<Index>();
  auto scanned = store.queries().scanRecords(
      {catalog::Kind::SKILL}, [&index](const store::RecordKey&, ByteView body) -> Status {
        // Stored bodies passed checkBody; one that still fails to read is left out, as
        // MatchIndex does.
        (void)catalog::readRecord(body, [&index](schema::Record::Reader record) {
          auto skill = record.getSkill();
          auto [it, added] = index->skill_ids.emplace(skill.getUri().cStr(),
                                                      static_cast<uint32_t>(index->skills.size()));
          if (added) index->skills.push_back({skill.getUri().cStr(), {}});
          uint32_t id = it->second;
          for (auto t : skill.getPrefLabel()) {
            index->skills[id].pref.emplace(index->langId(t.getLang().cStr()), t.getText().cStr());
            index->add(id, t.getLang().cStr(), true, t.getText().cStr());
          }
          for (auto t : skill.getAltLabels()) {
            index->add(id, t.getLang().cStr(), false, t.getText().cStr());
          }
          return Status::OK();
        });
        return Status::OK();
      });
  if (!scanned.ok()) return scanned.status();
  index->finish();
  return std::make_unique<Aligner>(std::move(index));
}

Aligner::Aligner(std::unique_ptr<Index> index) : index_(std::move(index)) {}
Aligner::~Aligner() = default;

const AlignerStats& Aligner::stats() const { return index_->stats; }

Result<AlignAnswer> Aligner::align(const AlignInput& input, const AlignOptions& options) const {
  if (options.max_suggestions == 0 || options.max_suggestions > kMaxSuggestions) {
    return Status::InvalidArgument(fmt::format("suggestions must be 1..{}", kMaxSuggestions));
  }
  if (!(options.min_score >= 0 && options.min_score <= 1)) {
    return Status::InvalidArgument("min score must be between 0 and 1");
  }
  AlignAnswer answer;
  answer.id = input.id;
  std::set<std::string> langs(input.languages.begin(), input.languages.end());
  for (const auto& [lang, text] : input.title) langs.insert(lang);
  for (const auto& [lang, text] : input.description) langs.insert(lang);
  std::unordered_set<std::string> taught(input.teaches.begin(), input.teaches.end());

  // By skill: its best suggestion and the label it came from (equal scores go to the lower
  // label number, so the answer never depends on hash order).
  std::unordered_map<uint32_t, std::pair<SkillSuggestion, uint32_t>> best;
  std::vector<std::string> unlabelled;
  for (const std::string& lang : langs) {
    auto lang_it = std::find(index_->langs.begin(), index_->langs.end(), lang);
    if (lang_it == index_->langs.end()) {
      unlabelled.push_back(lang);
      continue;
    }
    auto lang_id = static_cast<uint16_t>(lang_it - index_->langs.begin());
    FieldWords title(*index_, textIn(input.title, lang));
    FieldWords description(*index_, textIn(input.description, lang));
    std::unordered_set<uint32_t> words = title.present;
    words.insert(description.present.begin(), description.present.end());
    for (uint32_t word : words) {
      const std::vector<uint32_t>* labels = index_->anchored(lang_id, word);
      if (labels == nullptr) continue;
      for (uint32_t l : *labels) {
        const Index::Label& label = index_->labels[l];
        Found found = place(label, title, description);
        if (found.score <= 0) continue;
        answer.best_score = std::max(answer.best_score, found.score);
        const Index::Skill& skill = index_->skills[label.skill];
        if (taught.count(skill.uri) > 0) continue;
        auto it = best.find(label.skill);
        if (it != best.end() &&
            (it->second.first.score > found.score ||
             (it->second.first.score == found.score && it->second.second < l))) {
          continue;
        }
        SkillSuggestion s;
        s.skill = skill.uri;
        auto pref = skill.pref.find(lang_id);
        s.skill_label = pref == skill.pref.end() ? "" : pref->second;
        s.matched_label = label.text;
        s.preferred = label.preferred;
        s.lang = lang;
        s.field = found.field;
        s.phrase = found.phrase;
        s.score = found.score;
        std::set<uint32_t> distinct(label.words.begin(), label.words.end());
        for (uint32_t w : label.words) {
          if (distinct.erase(w) > 0) s.matched_words.push_back(index_->words[w]);
        }
        best[label.skill] = {std::move(s), l};
      }
    }
  }
  for (auto& [skill, entry] : best) {
    SkillSuggestion& suggestion = entry.first;
    if (suggestion.score >= options.min_score) answer.suggestions.push_back(std::move(suggestion));
  }
  std::sort(answer.suggestions.begin(), answer.suggestions.end(),
            [](const SkillSuggestion& a, const SkillSuggestion& b) {
              if (a.score != b.score) return a.score > b.score;
              return a.skill < b.skill;
            });
  if (answer.suggestions.size() > options.max_suggestions) {
    answer.suggestions.resize(options.max_suggestions);
  }
  if (answer.suggestions.empty()) {
    if (langs.empty() || unlabelled.size() == langs.size()) {
      std::string list;
      for (const std::string& l : unlabelled) list += (list.empty() ? "" : ",") + l;
      answer.note = langs.empty() ? "the resource has no title or description"
                                  : fmt::format("no skill labels in language {}", list);
    } else if (answer.best_score > 0) {
      answer.note = fmt::format("best label score {:.2f} is below {:.2f}", answer.best_score,
                                options.min_score);
    } else {
      answer.note = "no skill label found in the title or description";
    }
  }
  return answer;
}

}  // namespace eichub::match
