// Writing the LOQ elements of one resource, organisation or location.
#include "node/elm/internal/elm_elements.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "node/elm/duration.h"
#include "node/elm/elm_ids.h"
#include "node/elm/vocabulary.h"

namespace eichub::elm::internal {

namespace {

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

bool selected(const ExportContext& context, std::string_view lang) {
  return context.langs.empty() ||
         std::find(context.langs.begin(), context.langs.end(), lang) != context.langs.end();
}

void writeTexts(XmlWriter& w, std::string_view name, const Texts& texts) {
  for (const auto& [lang, text] : texts) w.langText(name, lang, text);
}

// The default language: the first teaching language, else the first title language, the
// authority lists; "multiple languages" when none is.
std::string defaultLanguage(schema::LearningResource::Reader lr) {
  for (auto l : lr.getLanguages()) {
    if (std::string uri = languageUri(str(l)); !uri.empty()) return uri;
  }
  for (auto t : lr.getTitle()) {
    if (std::string uri = languageUri(str(t.getLang())); !uri.empty()) return uri;
  }
  return languageCodeUri(kMultipleLanguagesCode);
}

std::string_view settingOf(std::string_view provider_kind) {
  if (provider_kind == "vet-school" || provider_kind == "university") return kFormalSettingUri;
  if (provider_kind == "vendor" || provider_kind == "employer") return kNonFormalSettingUri;
  return {};
}

void writeHomepage(XmlWriter& w, std::string_view url) {
  w.startElement("homepage");
  if (!url.empty()) w.textElement("contentUrl", url);
  w.endElement();
}

}  // namespace

Texts pickTexts(const ExportContext& context, const Texts& texts, bool fallback) {
  Texts out;
  for (const auto& t : texts) {
    if (selected(context, t.first)) out.push_back(t);
  }
  if (out.empty() && fallback && !texts.empty()) out.push_back(texts.front());
  return out;
}

Texts pick(const ExportContext& context, capnp::List<schema::LangText>::Reader list,
           bool fallback) {
  Texts all;
  for (auto t : list) all.emplace_back(str(t.getLang()), str(t.getText()));
  return pickTexts(context, all, fallback);
}

std::string providerOf(schema::LearningResource::Reader lr, const PublicKey& author) {
  if (lr.getProvider().size() == 0) return authorOrganisationUri(author);
  return organisationUri(str(lr.getProvider()));
}

std::string regionLocation(std::string_view region) {
  if (region.empty() || nutsUri(region).empty()) return {};
  return locationUri(region);
}

void writeOpportunity(XmlWriter& w, const ExportContext& context,
                      schema::LearningResource::Reader lr, const PublicKey& author) {
  const std::string uri = opportunityUri(str(lr.getId()));
  w.startElement("learningOpportunity");
  w.attribute("id", uri);
  writeTexts(w, "title", pick(context, lr.getTitle(), true));
  writeTexts(w, "description", pick(context, lr.getDescription(), false));
  w.emptyWithAttribute("type", "uri", kCourseTypeUri);
  std::string url = str(lr.getUrl());
  if (url.empty()) {
    auto p = context.providers.find(str(lr.getProvider()));
    if (p != context.providers.end()) url = p->second.url;
  }
  writeHomepage(w, url);
  if (lr.getValidFrom().size() > 0 || lr.getValidUntil().size() > 0) {
    w.startElement("temporal");
    if (lr.getValidFrom().size() > 0) {
      w.textElement("startDate", str(lr.getValidFrom()) + "T00:00:00");
    }
    if (lr.getValidUntil().size() > 0) {
      w.textElement("endDate", str(lr.getValidUntil()) + "T23:59:59");
    }
    w.endElement();
  }
  if (std::string_view mode = modeUri(lr.getMode()); !mode.empty()) {
    w.emptyWithAttribute("mode", "uri", mode);
  }
  if (lr.hasPrice()) {
    auto price = lr.getPrice();
    if (std::string unit = currencyUri(str(price.getCurrency())); !unit.empty()) {
      w.startElement("priceDetail");
      w.startElement("amount");
      w.emptyWithAttribute("unit", "uri", unit);
      w.textElement("value", fmt::format("{}.{:02}", price.getAmountCents() / 100,
                                         price.getAmountCents() % 100));
      w.endElement();
      w.endElement();
    }
  }
  w.emptyWithAttribute("providedBy", "idref", providerOf(lr, author));
  if (std::string location = regionLocation(str(lr.getRegion())); !location.empty()) {
    w.emptyWithAttribute("location", "idref", location);
  }
  w.emptyWithAttribute("learningAchievementSpecification", "idref", achievementUri(uri));
  w.emptyWithAttribute("defaultLanguage", "uri", defaultLanguage(lr));
  w.endElement();
}

void writeAchievement(XmlWriter& w, const ExportContext& context,
                      schema::LearningResource::Reader lr) {
  const std::string uri = opportunityUri(str(lr.getId()));
  w.startElement("learningAchievementSpecification");
  w.attribute("id", achievementUri(uri));
  writeTexts(w, "title", pick(context, lr.getTitle(), true));
  w.emptyWithAttribute("ISCEDFCode", "uri", kIscedUnknownUri);
  if (std::string volume = isoDuration(lr.getDurationHours()); !volume.empty()) {
    w.textElement("volumeOfLearning", volume);
  }
  if (std::string eqf = eqfUri(lr.getEqfLevel()); !eqf.empty()) {
    w.emptyWithAttribute("educationLevel", "uri", eqf);
  }
  bool any_language = false;
  for (auto l : lr.getLanguages()) {
    if (std::string language = languageUri(str(l)); !language.empty()) {
      w.emptyWithAttribute("language", "uri", language);
      any_language = true;
    }
  }
  if (!any_language) w.emptyWithAttribute("language", "uri", defaultLanguage(lr));
  if (std::string_view mode = modeUri(lr.getMode()); !mode.empty()) {
    w.emptyWithAttribute("mode", "uri", mode);
  }
  auto provider = context.providers.find(str(lr.getProvider()));
  if (provider != context.providers.end()) {
    if (std::string_view setting = settingOf(provider->second.kind); !setting.empty()) {
      w.emptyWithAttribute("learningSetting", "uri", setting);
    }
  }
  if (lr.getTeaches().size() == 0) {
    w.emptyWithAttribute("learningOutcome", "idref", outcomeUri(uri, ""));
  }
  for (auto t : lr.getTeaches()) {
    w.emptyWithAttribute("learningOutcome", "idref", outcomeUri(uri, str(t.getSkill())));
  }
  w.endElement();
}

namespace {

void writeSuggestedNote(XmlWriter& w, uint16_t score_thousandths) {
  w.startElement("additionalNote");
  w.langText("noteLiteral", "en",
             fmt::format("{} (score {:.3f})", kSuggestedNote, score_thousandths / 1000.0));
  w.endElement();
}

}  // namespace

size_t writeOutcomes(XmlWriter& w, const ExportContext& context,
                     schema::LearningResource::Reader lr) {
  const std::string uri = opportunityUri(str(lr.getId()));
  if (lr.getTeaches().size() == 0) {
    // The schema wants at least one outcome: the resource's own, named by its title.
    w.startElement("learningOutcome");
    w.attribute("id", outcomeUri(uri, ""));
    writeTexts(w, "title", pick(context, lr.getTitle(), true));
    w.endElement();
    return 1;
  }
  for (auto t : lr.getTeaches()) {
    const std::string skill = str(t.getSkill());
    auto known = context.skills.find(skill);
    const SkillInfo* info = known == context.skills.end() ? nullptr : &known->second;
    w.startElement("learningOutcome");
    w.attribute("id", outcomeUri(uri, skill));
    Texts labels = info ? pickTexts(context, info->labels, true) : Texts{};
    if (labels.empty()) labels.emplace_back("en", skill);  // a skill this node does not hold
    writeTexts(w, "title", labels);
    if (info) {
      if (std::string type = skillTypeUri(info->skill_type); !type.empty()) {
        w.emptyWithAttribute("type", "uri", type);
      }
    }
    if (t.getSuggested()) writeSuggestedNote(w, t.getSuggestedScore());
    if (info) {
      if (std::string reuse = reuseLevelUri(info->reuse_level); !reuse.empty()) {
        w.emptyWithAttribute("reusabilityLevel", "uri", reuse);
      }
    }
    bool esco = skill.starts_with("http://data.europa.eu/esco/");
    w.startElement(esco ? "relatedESCOSkill" : "relatedSkill");
    w.attribute("uri", skill);
    if (info) writeTexts(w, "skos:prefLabel", pickTexts(context, info->labels, false));
    w.endElement();
    w.endElement();
  }
  return lr.getTeaches().size();
}

void writeOrganisation(XmlWriter& w, const std::string& uri, const ProviderInfo& info,
                       std::string_view fallback_name, std::string_view location_region) {
  w.startElement("organisation");
  w.attribute("id", uri);
  if (info.names.empty()) {
    w.langText("legalName", "en", fallback_name);
  } else {
    writeTexts(w, "legalName", info.names);
  }
  if (!info.url.empty()) writeHomepage(w, info.url);
  w.emptyWithAttribute("location", "idref", locationUri(location_region));
  w.endElement();
}

void writeLocation(XmlWriter& w, std::string_view region) {
  w.startElement("location");
  w.attribute("id", locationUri(region));
  if (std::string nuts = nutsUri(region); !nuts.empty()) {
    w.emptyWithAttribute("spatialCode", "uri", nuts);
  }
  w.startElement("address");
  std::string country = countryUriOfNuts(region);
  w.emptyWithAttribute("countryCode", "uri",
                       country.empty() || !isCountryUri(country) ? kEuropeanUnionCountryUri
                                                                 : std::string_view(country));
  w.endElement();
  w.endElement();
}

}  // namespace eichub::elm::internal
