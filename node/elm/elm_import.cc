// importElm: one streaming pass keeps what the catalogue uses of each entity (per entity, from
// an expanded subtree), then joins opportunities with their specifications, outcomes,
// organisations and locations, and turns each into a Change through the JSON form's checks.
#include "node/elm/elm_import.h"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "node/catalog/change_batch.h"
#include "node/catalog/record_json.h"
#include "node/elm/duration.h"
#include "node/elm/elm_ids.h"
#include "node/elm/internal/loq_entities.h"
#include "node/elm/internal/xml_reader.h"
#include "node/elm/vocabulary.h"

namespace eichub::elm {

namespace {

using internal::XmlReader;
using nlohmann::json;

struct Document {
  std::vector<internal::Opportunity> opportunities;
  std::map<std::string, internal::Achievement> achievements;
  std::map<std::string, internal::Outcome> outcomes;
  std::vector<internal::Organisation> organisations;
  std::map<std::string, internal::Location> locations;
};

std::string_view localName(XmlReader& r) {
  return reinterpret_cast<const char*>(xmlTextReaderConstLocalName(r.get()));
}
std::string_view namespaceUri(XmlReader& r) {
  const xmlChar* ns = xmlTextReaderConstNamespaceUri(r.get());
  return ns == nullptr ? std::string_view() : reinterpret_cast<const char*>(ns);
}

// Keeps a bad entry's error (skip_bad) or returns it (strict).
Status refuse(const Status& error, const ImportOptions& options, ElmImport& out) {
  if (!options.skip_bad) return error;
  ++out.skipped;
  out.errors.push_back(error.message());
  return Status::OK();
}

// Reads one entity at depth 2 (a child of a references section).
Status readEntity(XmlReader& reader, std::string_view section, std::string_view name,
                  const ImportOptions& options, Document& doc, ElmImport& out) {
  EICHUB_ASSIGN_OR_RETURN(xmlNodePtr node, reader.expand());
  auto keep = [&](auto result, auto&& store) -> Status {
    if (!result.ok()) return refuse(result.status(), options, out);
    store(std::move(*result));
    return Status::OK();
  };
  if (section == "learningOpportunityReferences" && name == "learningOpportunity") {
    return keep(internal::readOpportunity(node),
                [&](internal::Opportunity o) { doc.opportunities.push_back(std::move(o)); });
  }
  if (section == "learningAchievementSpecificationReferences" &&
      (name == "learningAchievementSpecification" || name == "qualification")) {
    std::string id = internal::idOf(node);
    return keep(internal::readAchievement(node),
                [&](internal::Achievement a) { doc.achievements[id] = std::move(a); });
  }
  if (section == "learningOutcomeReferences" && name == "learningOutcome") {
    std::string id = internal::idOf(node);
    return keep(internal::readOutcome(node),
                [&](internal::Outcome o) { doc.outcomes[id] = std::move(o); });
  }
  if (section == "agentReferences" && name == "organisation") {
    return keep(internal::readOrganisation(node),
                [&](internal::Organisation o) { doc.organisations.push_back(std::move(o)); });
  }
  if (section == "locationReferences" && name == "location") {
    std::string id = internal::idOf(node);
    return keep(internal::readLocation(node),
                [&](internal::Location l) { doc.locations[id] = std::move(l); });
  }
  return Status::OK();  // entities the catalogue has no place for (activities, groups, ...)
}

Result<Document> readDocument(const std::string& path, const ImportOptions& options,
                              ElmImport& out) {
  EICHUB_ASSIGN_OR_RETURN(auto reader,
                          XmlReader::open(path, {options.max_file_bytes, options.max_depth}));
  Document doc;
  std::string section;
  bool root_seen = false;
  EICHUB_ASSIGN_OR_RETURN(bool more, reader->read());
  while (more) {
    if (xmlTextReaderNodeType(reader->get()) != XML_READER_TYPE_ELEMENT) {
      EICHUB_ASSIGN_OR_RETURN(more, reader->read());
      continue;
    }
    int depth = reader->depth();
    if (depth == 0) {
      if (localName(*reader) != "Courses" || namespaceUri(*reader) != kLoqNs) {
        return Status::InvalidArgument(fmt::format(
            "line {}: not an LOQ document: the root is {{{}}}{}, expected {{{}}}Courses",
            reader->line(), namespaceUri(*reader), localName(*reader), kLoqNs));
      }
      root_seen = true;
    } else if (depth == 1) {
      section = std::string(localName(*reader));
    } else if (depth == 2 && namespaceUri(*reader) == kLoqNs) {
      EICHUB_RETURN_IF_ERROR(readEntity(*reader, section, localName(*reader), options, doc, out)
                                 .withContext("/Courses/" + section));
      EICHUB_ASSIGN_OR_RETURN(more, reader->skip());
      continue;
    }
    EICHUB_ASSIGN_OR_RETURN(more, reader->read());
  }
  if (!root_seen) return Status::InvalidArgument("not an LOQ document: no root element");
  return doc;
}

json textsJson(const internal::Texts& texts) {
  json out = json::object();
  for (const auto& [lang, text] : texts) {
    if (!out.contains(lang)) out[lang] = text;  // the first text of each language
  }
  return out;
}

json providerJson(const internal::Organisation& o, const Document& doc) {
  json obj = {{"kind", "Provider"}, {"id", providerIdFromUri(o.id)}, {"name", textsJson(o.names)}};
  if (!o.homepage.empty()) obj["url"] = o.homepage;
  for (const std::string& ref : o.locations) {
    auto l = doc.locations.find(ref);
    if (l != doc.locations.end() && !l->second.region.empty()) {
      obj["region"] = l->second.region;
      break;
    }
  }
  return obj;
}

// The catalogue's price from an opportunity's priceDetail amounts: the first that states a price
// the catalogue holds (docs/elm.md "Prices"). LOQ's value is an xs:decimal in the unit's
// currency; an amount in XXX (ISO 4217: no currency involved), a negative one, or one over
// catalog::kMaxPriceAmount once rounded to cents says nothing the catalogue can hold, and the
// next is tried. Errors: InvalidArgument for a value that is not a decimal number.
Result<std::optional<std::pair<double, std::string>>> priceOf(
    const std::vector<std::pair<std::string, std::string>>& amounts,
    std::vector<std::string>& left_out) {
  for (const auto& [value, currency] : amounts) {
    double amount = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), amount);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(amount)) {
      return Status::InvalidArgument("priceDetail: amount \"" + value + "\" is not a number");
    }
    const double cents = std::round(amount * 100) / 100;
    const char* why = currency == "XXX"                  ? "XXX is no currency"
                      : amount < 0                       ? "negative"
                      : cents > catalog::kMaxPriceAmount ? "over the catalogue's price limit"
                                                         : nullptr;
    if (why != nullptr) {
      left_out.push_back(
          fmt::format("priceDetail amount {} {} left out: {}", value, currency, why));
      continue;
    }
    return std::optional<std::pair<double, std::string>>(std::make_pair(cents, currency));
  }
  return std::optional<std::pair<double, std::string>>();
}

// left_out gets a line for each value left out (ElmImport::notes).
Result<json> resourceJson(const internal::Opportunity& o, const Document& doc,
                          std::vector<std::string>& left_out) {
  json obj = {{"kind", "LearningResource"},
              {"id", resourceIdFromUri(o.id)},
              {"title", textsJson(o.titles)}};
  if (!o.descriptions.empty()) obj["description"] = textsJson(o.descriptions);
  if (!o.homepage.empty()) obj["url"] = o.homepage;
  if (!o.providers.empty()) obj["provider"] = providerIdFromUri(o.providers.front());
  std::optional<schema::Mode> mode = o.mode;
  std::vector<std::string> languages;
  auto a = doc.achievements.find(o.achievement);
  if (a != doc.achievements.end()) {
    const internal::Achievement& las = a->second;
    languages = las.languages;
    if (!mode) mode = las.mode;
    if (las.eqf_level != 0) obj["eqfLevel"] = las.eqf_level;
    // Years and months have no fixed length in hours: such a volume is left out.
    if (auto hours = durationHours(las.volume); hours && *hours > 0) {
      // Our export writes whole seconds; round so that a round trip keeps the value.
      obj["durationHours"] = std::round(*hours * 3600) / 3600;
    }
    json teaches = json::array();
    for (const std::string& ref : las.outcomes) {
      auto outcome = doc.outcomes.find(ref);
      if (outcome == doc.outcomes.end()) continue;
      for (const std::string& skill : outcome->second.skills) {
        if (auto score = outcome->second.suggested_score) {
          teaches.push_back({{"skill", skill},
                             {"relation", "optional"},
                             {"suggested", true},
                             {"score", *score / 1000.0}});
        } else {
          teaches.push_back({{"skill", skill}, {"relation", "essential"}});
        }
      }
    }
    if (!teaches.empty()) obj["teaches"] = teaches;
  }
  if (languages.empty() && !o.default_language.empty()) languages.push_back(o.default_language);
  if (!languages.empty()) obj["languages"] = languages;
  if (mode == schema::Mode::ONLINE) obj["mode"] = "online";
  if (mode == schema::Mode::ONSITE) obj["mode"] = "onsite";
  if (mode == schema::Mode::BLENDED) obj["mode"] = "blended";
  EICHUB_ASSIGN_OR_RETURN(auto price, priceOf(o.prices, left_out));
  if (price) obj["price"] = {{"amount", price->first}, {"currency", price->second}};
  for (const std::string& ref : o.locations) {
    auto l = doc.locations.find(ref);
    if (l != doc.locations.end() && !l->second.region.empty()) {
      obj["region"] = l->second.region;
      break;
    }
  }
  // A period that ends before it starts states no period the catalogue can hold.
  if (!o.start_date.empty() && !o.end_date.empty() && o.end_date < o.start_date) {
    left_out.push_back(
        fmt::format("temporal left out: endDate {} before startDate {}", o.end_date, o.start_date));
  } else {
    if (!o.start_date.empty()) obj["validFrom"] = o.start_date;
    if (!o.end_date.empty()) obj["validUntil"] = o.end_date;
  }
  return obj;
}

// A Change from the JSON form, or the entry's error naming its line and element.
Status addChange(const Result<json>& obj, std::string_view element, std::string_view uri, int line,
                 const ImportOptions& options, ElmImport& out) {
  auto where = fmt::format("line {}: {} {}", line, element, uri);
  if (!obj.ok()) return refuse(obj.status().withContext(where), options, out);
  auto change = catalog::changeFromJson(*obj);
  if (!change.ok()) return refuse(change.status().withContext(where), options, out);
  out.changes.push_back(std::move(*change));
  return Status::OK();
}

}  // namespace

// A second entity with an id already seen (loq.xsd's keys forbid it): the first one stands.
Status checkUnique(std::map<std::string, int>& seen, std::string_view element,
                   const std::string& id, int line, const ImportOptions& options, ElmImport& out) {
  auto [first, inserted] = seen.try_emplace(id, line);
  if (inserted) return Status::OK();
  return refuse(Status::InvalidArgument(fmt::format("line {}: {} {}: the id is used at line {} too",
                                                    line, element, id, first->second)),
                options, out);
}

Result<ElmImport> importElm(const std::string& path, const ImportOptions& options) {
  ElmImport out;
  EICHUB_ASSIGN_OR_RETURN(Document doc, readDocument(path, options, out));
  std::map<std::string, int> seen;  // id -> line of its first entity
  for (const internal::Organisation& o : doc.organisations) {
    size_t skipped = out.skipped;
    EICHUB_RETURN_IF_ERROR(checkUnique(seen, "organisation", o.id, o.line, options, out));
    if (out.skipped != skipped) continue;
    size_t before = out.changes.size();
    EICHUB_RETURN_IF_ERROR(
        addChange(providerJson(o, doc), "organisation", o.id, o.line, options, out));
    out.organisations += out.changes.size() - before;
  }
  seen.clear();
  for (const internal::Opportunity& o : doc.opportunities) {
    size_t skipped = out.skipped;
    EICHUB_RETURN_IF_ERROR(checkUnique(seen, "learningOpportunity", o.id, o.line, options, out));
    if (out.skipped != skipped) continue;
    size_t before = out.changes.size();
    std::vector<std::string> left_out;
    EICHUB_RETURN_IF_ERROR(addChange(resourceJson(o, doc, left_out), "learningOpportunity", o.id,
                                     o.line, options, out));
    out.opportunities += out.changes.size() - before;
    if (out.changes.size() == before) continue;  // refused: its notes do not apply
    for (const std::string& what : left_out) {
      if (out.notes.size() == catalog::kMaxReportedErrors) break;
      out.notes.push_back(fmt::format("line {}: learningOpportunity {}: {}", o.line, o.id, what));
    }
  }
  return out;
}

}  // namespace eichub::elm
