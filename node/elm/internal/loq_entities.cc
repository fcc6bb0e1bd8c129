// Reading LOQ entities from libxml2 trees: children by namespace and local name, vocabulary
// URIs checked against node/elm/vocabulary.h.
#include "node/elm/internal/loq_entities.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include <fmt/core.h>

#include "node/elm/internal/elm_elements.h"
#include "node/elm/vocabulary.h"

namespace eichub::elm::internal {

namespace {

std::string_view nameOf(xmlNodePtr n) { return reinterpret_cast<const char*>(n->name); }

bool is(xmlNodePtr n, std::string_view local, std::string_view ns = kLoqNs) {
  return n->type == XML_ELEMENT_NODE && nameOf(n) == local && n->ns != nullptr &&
         std::string_view(reinterpret_cast<const char*>(n->ns->href)) == ns;
}

std::string owned(xmlChar* s) {
  if (s == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(s));
  xmlFree(s);
  return out;
}

std::string attr(xmlNodePtr n, const char* name) {
  return owned(xmlGetProp(n, reinterpret_cast<const xmlChar*>(name)));
}

std::string trimmed(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A value (URL, date, number): surrounding white space is layout, not data.
std::string content(xmlNodePtr n) { return trimmed(owned(xmlNodeGetContent(n))); }
// A text (title, description, name) exactly as written.
std::string text(xmlNodePtr n) { return owned(xmlNodeGetContent(n)); }

// The child elements of n named local (in ns), in document order.
std::vector<xmlNodePtr> children(xmlNodePtr n, std::string_view local,
                                 std::string_view ns = kLoqNs) {
  std::vector<xmlNodePtr> out;
  for (xmlNodePtr c = n->children; c != nullptr; c = c->next) {
    if (is(c, local, ns)) out.push_back(c);
  }
  return out;
}

// An error about element n (or its child named what).
// The score of a note our export wrote for a suggested skill (writeOutcomes), or nullopt.
std::optional<uint16_t> suggestedScore(std::string_view note) {
  constexpr std::string_view kScore = " (score ";
  if (!note.starts_with(kSuggestedNote)) return std::nullopt;
  note.remove_prefix(kSuggestedNote.size());
  if (!note.starts_with(kScore)) return uint16_t{0};
  note.remove_prefix(kScore.size());
  double score = 0;
  auto [end, ec] = std::from_chars(note.data(), note.data() + note.size(), score);
  if (ec != std::errc() || !(score >= 0 && score <= 1)) return uint16_t{0};
  return static_cast<uint16_t>(std::lround(score * 1000));
}

Status error(xmlNodePtr n, std::string_view id, std::string_view what, std::string_view message) {
  std::string where = fmt::format("line {}: {}", xmlGetLineNo(n), nameOf(n));
  if (!id.empty()) where += " " + std::string(id);
  if (!what.empty()) where += ": " + std::string(what);
  return Status::InvalidArgument(where + ": " + std::string(message));
}

// Names the line of the child that holds the URI, and the entity it belongs to.
Status unknownUri(xmlNodePtr child, std::string_view id, std::string_view uri,
                  std::string_view vocabulary) {
  return Status::InvalidArgument(
      fmt::format("line {}: {} {}: {}: unknown vocabulary URI \"{}\" (not in cv/{})",
                  xmlGetLineNo(child), nameOf(child->parent), id, nameOf(child), uri, vocabulary));
}

Texts langTexts(xmlNodePtr n, std::string_view local, std::string_view ns = kLoqNs) {
  Texts out;
  for (xmlNodePtr c : children(n, local, ns)) out.emplace_back(attr(c, "language"), text(c));
  return out;
}

std::string homepageOf(xmlNodePtr n) {
  for (xmlNodePtr h : children(n, "homepage")) {
    for (xmlNodePtr u : children(h, "contentUrl")) {
      if (std::string url = content(u); !url.empty()) return url;
    }
  }
  return {};
}

std::vector<std::string> idrefs(xmlNodePtr n, std::string_view local) {
  std::vector<std::string> out;
  for (xmlNodePtr c : children(n, local)) out.push_back(attr(c, "idref"));
  return out;
}

// The first catalogue mode among n's mode children; an unknown URI is an error.
Result<std::optional<schema::Mode>> modeOf(xmlNodePtr n, std::string_view id) {
  std::optional<schema::Mode> mode;
  for (xmlNodePtr c : children(n, "mode")) {
    std::string uri = attr(c, "uri");
    auto m = modeFromUri(uri);
    if (!m) return unknownUri(c, id, uri, "europass-modes.xsd");
    if (!mode && *m != schema::Mode::UNSPECIFIED) mode = *m;
  }
  return mode;
}

std::string dateOf(xmlNodePtr n) {
  std::string s = content(n);
  return s.size() >= 10 ? s.substr(0, 10) : s;
}

}  // namespace

std::string idOf(xmlNodePtr node) { return attr(node, "id"); }

Result<Opportunity> readOpportunity(xmlNodePtr node) {
  Opportunity o;
  o.id = idOf(node);
  o.line = xmlGetLineNo(node);
  if (o.id.empty()) return error(node, "", "id", "missing");
  o.titles = langTexts(node, "title");
  if (o.titles.empty())
    return error(node, o.id, "title", "missing: a learning opportunity has one");
  o.descriptions = langTexts(node, "description");
  for (xmlNodePtr c : children(node, "type")) {
    std::string uri = attr(c, "uri");
    if (!isLearningOpportunityType(uri)) {
      return unknownUri(c, o.id, uri, "europass-learning-opportunity-types.xsd");
    }
  }
  o.homepage = homepageOf(node);
  for (xmlNodePtr t : children(node, "temporal")) {
    for (xmlNodePtr d : children(t, "startDate")) o.start_date = dateOf(d);
    for (xmlNodePtr d : children(t, "endDate")) o.end_date = dateOf(d);
  }
  EICHUB_ASSIGN_OR_RETURN(o.mode, modeOf(node, o.id));
  for (xmlNodePtr p : children(node, "priceDetail")) {
    for (xmlNodePtr a : children(p, "amount")) {
      std::string value, currency;
      for (xmlNodePtr u : children(a, "unit")) {
        std::string uri = attr(u, "uri");
        auto code = currencyFromUri(uri);
        if (!code) return unknownUri(u, o.id, uri, "currency.xsd");
        currency = *code;
      }
      for (xmlNodePtr v : children(a, "value")) value = content(v);
      if (!currency.empty() && !value.empty()) o.prices.emplace_back(value, currency);
    }
  }
  o.providers = idrefs(node, "providedBy");
  o.locations = idrefs(node, "location");
  for (const std::string& ref : idrefs(node, "learningAchievementSpecification")) {
    o.achievement = ref;
  }
  for (xmlNodePtr c : children(node, "defaultLanguage")) {
    std::string uri = attr(c, "uri");
    auto tag = languageFromUri(uri);
    if (!tag) return unknownUri(c, o.id, uri, "language.xsd");
    o.default_language = *tag;
  }
  return o;
}

Result<Achievement> readAchievement(xmlNodePtr node) {
  Achievement a;
  std::string id = idOf(node);
  for (xmlNodePtr c : children(node, "ISCEDFCode")) {
    std::string uri = attr(c, "uri");
    if (!isIscedUri(uri)) return unknownUri(c, id, uri, "isced-f.xsd");
  }
  for (xmlNodePtr c : children(node, "volumeOfLearning")) a.volume = content(c);
  for (xmlNodePtr c : children(node, "educationLevel")) {
    // educationLevel is any concept (EQF, NQF, ISCED levels): only EQF has a catalogue field.
    if (uint8_t level = eqfFromUri(attr(c, "uri")); level != 0 && a.eqf_level == 0) {
      a.eqf_level = level;
    }
  }
  for (xmlNodePtr c : children(node, "language")) {
    std::string uri = attr(c, "uri");
    auto tag = languageFromUri(uri);
    if (!tag) return unknownUri(c, id, uri, "language.xsd");
    a.languages.push_back(*tag);
  }
  EICHUB_ASSIGN_OR_RETURN(a.mode, modeOf(node, id));
  for (xmlNodePtr c : children(node, "learningSetting")) {
    std::string uri = attr(c, "uri");
    if (!isLearningSetting(uri))
      return unknownUri(c, id, uri, "europass-learning-setting-types.xsd");
  }
  a.outcomes = idrefs(node, "learningOutcome");
  return a;
}

Result<Outcome> readOutcome(xmlNodePtr node) {
  Outcome o;
  for (std::string_view name : {"relatedESCOSkill", "relatedSkill"}) {
    for (xmlNodePtr c : children(node, name)) {
      if (std::string uri = attr(c, "uri"); !uri.empty()) o.skills.push_back(uri);
    }
  }
  for (xmlNodePtr note : children(node, "additionalNote")) {
    for (xmlNodePtr literal : children(note, "noteLiteral")) {
      if (auto score = suggestedScore(content(literal))) o.suggested_score = score;
    }
  }
  return o;
}

Result<Organisation> readOrganisation(xmlNodePtr node) {
  Organisation o;
  o.id = idOf(node);
  o.line = xmlGetLineNo(node);
  if (o.id.empty()) return error(node, "", "id", "missing");
  o.names = langTexts(node, "legalName");
  if (o.names.empty()) return error(node, o.id, "legalName", "missing");
  o.homepage = homepageOf(node);
  o.locations = idrefs(node, "location");
  return o;
}

Result<Location> readLocation(xmlNodePtr node) {
  Location l;
  std::string id = idOf(node);
  for (xmlNodePtr c : children(node, "spatialCode")) {
    std::string uri = attr(c, "uri");
    if (auto nuts = nutsFromUri(uri)) {
      if (l.region.empty()) l.region = *nuts;
    } else if (!isCountryUri(uri)) {
      return unknownUri(c, id, uri, "nuts.xsd or cv/country.xsd");
    }
  }
  for (xmlNodePtr a : children(node, "address")) {
    for (xmlNodePtr c : children(a, "countryCode")) {
      std::string uri = attr(c, "uri");
      if (!isCountryUri(uri)) return unknownUri(c, id, uri, "country.xsd");
    }
  }
  return l;
}

}  // namespace eichub::elm::internal
