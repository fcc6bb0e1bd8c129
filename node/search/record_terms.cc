// Index texts and terms of catalogue records: which fields a kind is found by is the kind's
// registry entry's (catalog::KindInfo::search_fields); the weights and tokens are decided here.
// Reading a record goes through catalog::readRecord, which turns Cap'n Proto's exceptions into a
// Status.
#include "node/search/record_terms.h"

#include <algorithm>
#include <limits>
#include <set>

#include "node/catalog/change.h"
#include "node/search/tokenize.h"

namespace eichub::search {
namespace {

// Valid while the message is.
std::string_view view(capnp::Text::Reader text) { return {text.cStr(), text.size()}; }

void addTexts(capnp::List<schema::LangText>::Reader list, uint8_t weight, RecordTexts& out) {
  for (auto item : list) out.texts.push_back({view(item.getText()), view(item.getLang()), weight});
}

// The first kMaxSkillsPerRecord distinct uris in the order given, sorted: a sort of views
// instead of a set of strings.
std::vector<std::string_view> distinctSkills(const std::vector<std::string_view>& uris) {
  std::vector<uint32_t> order(uris.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  // Equal uris keep their order, so the first occurrence of each leads its run.
  std::stable_sort(order.begin(), order.end(),
                   [&uris](uint32_t a, uint32_t b) { return uris[a] < uris[b]; });
  order.erase(std::unique(order.begin(), order.end(),
                          [&uris](uint32_t a, uint32_t b) { return uris[a] == uris[b]; }),
              order.end());
  if (order.size() > kMaxSkillsPerRecord) {
    // Keep the uris that occurred first, then restore uri order.
    std::sort(order.begin(), order.end());
    order.resize(kMaxSkillsPerRecord);
    std::sort(order.begin(), order.end(),
              [&uris](uint32_t a, uint32_t b) { return uris[a] < uris[b]; });
  }
  std::vector<std::string_view> out;
  out.reserve(order.size());
  for (uint32_t i : order) out.push_back(uris[i]);
  return out;
}

// The kind's names weigh kLabelWeight, its other names kAltLabelWeight.
void collect(schema::Record::Reader record, RecordTexts& out) {
  const catalog::KindInfo* info = catalog::kindInfo(record);
  if (info == nullptr) return;  // a newer schema's kind: nothing this build can index
  catalog::SearchFields fields;
  info->search_fields(record, fields);
  addTexts(fields.names, kLabelWeight, out);
  addTexts(fields.other_names, kAltLabelWeight, out);
  out.skills = distinctSkills(fields.skills);
}

// The first 8 bytes of token as a big-endian number, zero-padded. Ordering by it, then by the
// whole token, is the byte order of tokens, with most comparisons made on integers.
uint64_t orderPrefix(std::string_view token) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < sizeof(prefix); ++i) {
    prefix <<= 8;
    if (i < token.size()) prefix |= static_cast<uint8_t>(token[i]);
  }
  return prefix;
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
  EICHUB_RETURN_IF_ERROR(catalog::readRecord(record, [&out](schema::Record::Reader reading) {
    collect(reading, out);
    return Status::OK();
  }));
  return out;
}

std::vector<Term> indexTerms(const RecordTexts& texts) {
  // Every occurrence, then merged per token: the best weight wins, and among the texts of that
  // weight the shortest. Order-independent, so a sort of views replaces a map of strings.
  struct Occurrence {
    std::string_view token;  // into tokens
    uint64_t prefix = 0;     // orderPrefix(token)
    uint8_t weight = 0;
    uint16_t label_bytes = 0;
    uint32_t first = 0;  // position of the occurrence: the cap keeps the earliest tokens
  };
  std::vector<std::vector<std::string>> tokens;
  tokens.reserve(texts.texts.size());
  std::vector<Occurrence> all;
  all.reserve(8 * texts.texts.size());  // labels hold a few words each
  for (const IndexText& text : texts.texts) {
    const auto label_bytes = static_cast<uint16_t>(
        std::min<size_t>(text.text.size(), std::numeric_limits<uint16_t>::max()));
    tokens.push_back(tokenize(text.text));
    for (const std::string& token : tokens.back()) {
      all.push_back(
          {token, orderPrefix(token), text.weight, label_bytes, static_cast<uint32_t>(all.size())});
    }
  }
  std::sort(all.begin(), all.end(), [](const Occurrence& a, const Occurrence& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    if (int c = a.token.compare(b.token); c != 0) return c < 0;
    return a.first < b.first;
  });
  std::vector<Occurrence> merged;
  merged.reserve(all.size());
  for (const Occurrence& occurrence : all) {
    if (merged.empty() || merged.back().token != occurrence.token) {
      merged.push_back(occurrence);
      continue;
    }
    Occurrence& term = merged.back();
    if (occurrence.weight > term.weight) {
      term.weight = occurrence.weight;
      term.label_bytes = occurrence.label_bytes;
    } else if (occurrence.weight == term.weight) {
      term.label_bytes = std::min(term.label_bytes, occurrence.label_bytes);
    }
  }
  if (merged.size() > kMaxTermsPerRecord) {
    // Keep the tokens seen first, then restore token order.
    std::sort(merged.begin(), merged.end(),
              [](const Occurrence& a, const Occurrence& b) { return a.first < b.first; });
    merged.resize(kMaxTermsPerRecord);
    std::sort(merged.begin(), merged.end(),
              [](const Occurrence& a, const Occurrence& b) { return a.token < b.token; });
  }
  std::vector<Term> out;
  out.reserve(merged.size());
  for (const Occurrence& occurrence : merged) {
    out.push_back(Term{std::string(occurrence.token), occurrence.weight, occurrence.label_bytes});
  }
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
