// The aligner's label index: tokenised labels, word rarity, labels filed by their rarest word.
#include "node/match/internal/label_index.h"

#include <algorithm>
#include <cmath>

#include "node/search/tokenize.h"

namespace eichub::match {

uint16_t Aligner::Index::langId(std::string_view lang) {
  auto it = std::find(langs.begin(), langs.end(), lang);
  if (it != langs.end()) return static_cast<uint16_t>(it - langs.begin());
  langs.emplace_back(lang);
  return static_cast<uint16_t>(langs.size() - 1);
}

void Aligner::Index::add(uint32_t skill, std::string_view lang, bool preferred,
                         std::string_view text) {
  std::vector<std::string> tokens = search::tokenize(text);
  if (tokens.empty()) return;
  Label label{skill, langId(lang), preferred, std::string(text), {}, 0};
  for (std::string& token : tokens) {
    auto [it, added] = word_ids.emplace(token, static_cast<uint32_t>(words.size()));
    if (added) {
      words.push_back(std::move(token));
      labels_holding.push_back(0);
    }
    label.words.push_back(it->second);
  }
  std::vector<uint32_t> distinct = label.words;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (uint32_t w : distinct) ++labels_holding[w];
  labels.push_back(std::move(label));
}

void Aligner::Index::finish() {
  double n = static_cast<double>(std::max<size_t>(labels.size(), 1));
  idf.resize(words.size());
  for (size_t w = 0; w < words.size(); ++w) idf[w] = std::log(n / labels_holding[w]);
  for (uint32_t l = 0; l < labels.size(); ++l) {
    Label& label = labels[l];
    std::vector<uint32_t> distinct = label.words;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    uint32_t anchor = distinct.front();
    for (uint32_t w : distinct) {
      label.information += idf[w];
      if (labels_holding[w] < labels_holding[anchor]) anchor = w;
    }
    by_anchor[uint64_t{label.lang} << 32 | anchor].push_back(l);
  }
  stats.skills = skills.size();
  stats.labels = labels.size();
  stats.languages = langs;
  std::sort(stats.languages.begin(), stats.languages.end());
}

int64_t Aligner::Index::wordId(const std::string& word) const {
  auto it = word_ids.find(word);
  return it == word_ids.end() ? -1 : int64_t{it->second};
}

const std::vector<uint32_t>* Aligner::Index::anchored(uint16_t lang, uint32_t word) const {
  auto it = by_anchor.find(uint64_t{lang} << 32 | word);
  return it == by_anchor.end() ? nullptr : &it->second;
}

}  // namespace eichub::match
