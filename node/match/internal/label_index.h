// The aligner's index of skill labels: normalised words (search::tokenize), how many labels
// hold each word, and every label filed under its rarest word.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "node/match/aligner.h"

namespace eichub::match {

struct Aligner::Index {
  struct Skill {
    std::string uri;
    std::unordered_map<uint16_t, std::string> pref;  // lang id -> preferred label
  };
  struct Label {
    uint32_t skill = 0;  // into skills
    uint16_t lang = 0;   // into langs
    bool preferred = false;
    std::string text;
    std::vector<uint32_t> words;  // word ids, in label order
    double information = 0;       // sum of idf over distinct words
  };

  // Adds one label. Call finish() after the last.
  void add(uint32_t skill, std::string_view lang, bool preferred, std::string_view text);
  // Computes idf and files each label under its rarest word.
  void finish();

  uint16_t langId(std::string_view lang);
  // The word id of a normalised word; -1 when no label holds it.
  int64_t wordId(const std::string& word) const;
  // Labels in lang filed under word.
  const std::vector<uint32_t>* anchored(uint16_t lang, uint32_t word) const;

  std::vector<Skill> skills;
  std::unordered_map<std::string, uint32_t> skill_ids;
  std::vector<std::string> langs;
  std::vector<Label> labels;
  std::unordered_map<std::string, uint32_t> word_ids;
  std::vector<std::string> words;
  std::vector<uint32_t> labels_holding;                           // by word id
  std::vector<double> idf;                                        // by word id
  std::unordered_map<uint64_t, std::vector<uint32_t>> by_anchor;  // lang << 32 | word
  AlignerStats stats;
};

}  // namespace eichub::match
