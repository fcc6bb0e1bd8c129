// The LOQ controlled vocabularies: small ones as tables here, large ones generated (cv_codes).
#include "node/elm/vocabulary.h"

#include <algorithm>
#include <array>
#include <span>

#include "node/elm/internal/cv_codes.h"

namespace eichub::elm {

namespace {

constexpr std::string_view kModePrefix = "http://data.europa.eu/snb/learning-assessment/";
constexpr std::string_view kEqfPrefix = "http://data.europa.eu/snb/eqf/";
constexpr std::string_view kLanguagePrefix =
    "http://publications.europa.eu/resource/authority/language/";
constexpr std::string_view kNutsPrefix = "http://data.europa.eu/nuts/code/";
constexpr std::string_view kCountryPrefix =
    "http://publications.europa.eu/resource/authority/country/";
constexpr std::string_view kCurrencyPrefix =
    "http://publications.europa.eu/resource/authority/currency/";
constexpr std::string_view kIscedPrefix = "http://data.europa.eu/snb/isced-f/";

constexpr std::array<std::string_view, 12> kOpportunityTypes = {
    "http://data.europa.eu/snb/learning-opportunity/05053c1cbe",
    "http://data.europa.eu/snb/learning-opportunity/0f7dac46ca",
    "http://data.europa.eu/snb/learning-opportunity/11252a5207",
    "http://data.europa.eu/snb/learning-opportunity/17744a2647",
    "http://data.europa.eu/snb/learning-opportunity/63f9f6180c",
    "http://data.europa.eu/snb/learning-opportunity/65a4cf5de2",
    "http://data.europa.eu/snb/learning-opportunity/74a4a268e8",
    "http://data.europa.eu/snb/learning-opportunity/77b99de990",
    "http://data.europa.eu/snb/learning-opportunity/79343569f3",
    "http://data.europa.eu/snb/learning-opportunity/7e1ac538db",
    "http://data.europa.eu/snb/learning-opportunity/8b965da2d4",
    "http://data.europa.eu/snb/learning-opportunity/b2434ca358",
};

struct ModeCode {
  std::string_view code;
  schema::Mode mode;
};
constexpr std::array<ModeCode, 6> kModes = {{
    {"9191af2ed9", schema::Mode::ONSITE},       // presential
    {"920fbb3cbe", schema::Mode::ONLINE},       // online
    {"e92d221e4d", schema::Mode::BLENDED},      // blended
    {"729f3bed4b", schema::Mode::UNSPECIFIED},  // work-based
    {"7813801c77", schema::Mode::UNSPECIFIED},  // project-based
    {"ed4c557045", schema::Mode::UNSPECIFIED},  // research-lab based
}};

// ISO 639-1 -> the language authority's code, for the languages the EU and its neighbours use
// and the most common others. A tag not here is written only when it is itself an authority code.
struct LanguageCode {
  std::string_view tag;
  std::string_view code;
};
constexpr std::array<LanguageCode, 48> kLanguages = {{
    {"ar", "ARA"}, {"bg", "BUL"}, {"bs", "BOS"}, {"ca", "CAT"}, {"cs", "CES"}, {"cy", "CYM"},
    {"da", "DAN"}, {"de", "DEU"}, {"el", "ELL"}, {"en", "ENG"}, {"es", "SPA"}, {"et", "EST"},
    {"eu", "EUS"}, {"fa", "FAS"}, {"fi", "FIN"}, {"fo", "FAO"}, {"fr", "FRA"}, {"fy", "FRY"},
    {"ga", "GLE"}, {"gl", "GLG"}, {"he", "HEB"}, {"hi", "HIN"}, {"hr", "HRV"}, {"hu", "HUN"},
    {"hy", "HYE"}, {"is", "ISL"}, {"it", "ITA"}, {"ja", "JPN"}, {"ka", "KAT"}, {"ko", "KOR"},
    {"lb", "LTZ"}, {"lt", "LIT"}, {"lv", "LAV"}, {"mk", "MKD"}, {"mt", "MLT"}, {"nb", "NOB"},
    {"nl", "NLD"}, {"nn", "NNO"}, {"no", "NOR"}, {"pl", "POL"}, {"pt", "POR"}, {"ro", "RON"},
    {"ru", "RUS"}, {"sk", "SLK"}, {"sl", "SLV"}, {"sq", "SQI"}, {"sr", "SRP"}, {"sv", "SWE"},
}};
// Every 639-1 code above maps one way; these too, read only (uk, tr, zh come in as codes).
constexpr std::array<LanguageCode, 3> kMoreLanguages = {{
    {"tr", "TUR"},
    {"uk", "UKR"},
    {"zh", "ZHO"},
}};

// NUTS country prefixes (ISO 3166 alpha-2, except EL and UK) -> the country authority's code.
struct CountryCode {
  std::string_view nuts;
  std::string_view code;
};
constexpr std::array<CountryCode, 38> kCountries = {{
    {"AL", "ALB"}, {"AT", "AUT"}, {"BA", "BIH"}, {"BE", "BEL"}, {"BG", "BGR"}, {"CH", "CHE"},
    {"CY", "CYP"}, {"CZ", "CZE"}, {"DE", "DEU"}, {"DK", "DNK"}, {"EE", "EST"}, {"EL", "GRC"},
    {"ES", "ESP"}, {"FI", "FIN"}, {"FR", "FRA"}, {"HR", "HRV"}, {"HU", "HUN"}, {"IE", "IRL"},
    {"IS", "ISL"}, {"IT", "ITA"}, {"LI", "LIE"}, {"LT", "LTU"}, {"LU", "LUX"}, {"LV", "LVA"},
    {"ME", "MNE"}, {"MK", "MKD"}, {"MT", "MLT"}, {"NL", "NLD"}, {"NO", "NOR"}, {"PL", "POL"},
    {"PT", "PRT"}, {"RO", "ROU"}, {"RS", "SRB"}, {"SE", "SWE"}, {"SI", "SVN"}, {"SK", "SVK"},
    {"TR", "TUR"}, {"UK", "GBR"},
}};

bool listed(const std::string_view* codes, size_t count, std::string_view code) {
  std::span<const std::string_view> list(codes, count);
  return std::binary_search(list.begin(), list.end(), code);
}

// The code after prefix, or nullopt when uri does not start with it.
std::optional<std::string_view> after(std::string_view uri, std::string_view prefix) {
  if (!uri.starts_with(prefix)) return std::nullopt;
  return uri.substr(prefix.size());
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

bool isLearningOpportunityType(std::string_view uri) {
  return std::find(kOpportunityTypes.begin(), kOpportunityTypes.end(), uri) !=
         kOpportunityTypes.end();
}

std::string_view modeUri(schema::Mode mode) {
  switch (mode) {
    case schema::Mode::ONLINE:
      return "http://data.europa.eu/snb/learning-assessment/920fbb3cbe";
    case schema::Mode::ONSITE:
      return "http://data.europa.eu/snb/learning-assessment/9191af2ed9";
    case schema::Mode::BLENDED:
      return "http://data.europa.eu/snb/learning-assessment/e92d221e4d";
    case schema::Mode::UNSPECIFIED:
      break;
  }
  return {};
}

std::optional<schema::Mode> modeFromUri(std::string_view uri) {
  auto code = after(uri, kModePrefix);
  if (!code) return std::nullopt;
  for (const ModeCode& m : kModes) {
    if (m.code == *code) return m.mode;
  }
  return std::nullopt;
}

bool isLearningSetting(std::string_view uri) {
  return uri == kFormalSettingUri || uri == kNonFormalSettingUri;
}

std::string eqfUri(uint8_t level) {
  if (level < 1 || level > 8) return {};
  return std::string(kEqfPrefix) + std::to_string(level);
}

uint8_t eqfFromUri(std::string_view uri) {
  auto code = after(uri, kEqfPrefix);
  if (!code || code->size() != 1 || (*code)[0] < '1' || (*code)[0] > '8') return 0;
  return static_cast<uint8_t>((*code)[0] - '0');
}

std::string skillTypeUri(std::string_view skill_type) {
  if (skill_type == "knowledge") return "http://data.europa.eu/snb/skill-type/knowledge";
  if (skill_type == "skill/competence") return "http://data.europa.eu/snb/skill-type/skill";
  return {};
}

std::string reuseLevelUri(std::string_view reuse_level) {
  for (std::string_view level :
       {"transversal", "cross-sector", "sector-specific", "occupation-specific"}) {
    if (reuse_level == level) {
      return "http://data.europa.eu/snb/skill-reuse-level/" + std::string(level);
    }
  }
  return {};
}

std::string languageCodeUri(std::string_view code) {
  if (!listed(internal::kLanguageCodes, internal::kLanguageCodesCount, code)) return {};
  return std::string(kLanguagePrefix) + std::string(code);
}

std::string languageUri(std::string_view tag) {
  std::string_view primary = tag.substr(0, tag.find('-'));
  for (const LanguageCode& l : kLanguages) {
    if (l.tag == primary) return languageCodeUri(l.code);
  }
  for (const LanguageCode& l : kMoreLanguages) {
    if (l.tag == primary) return languageCodeUri(l.code);
  }
  if (primary.size() == 3) return languageCodeUri(upper(primary));
  return {};
}

std::optional<std::string> languageFromUri(std::string_view uri) {
  auto code = after(uri, kLanguagePrefix);
  if (!code || !listed(internal::kLanguageCodes, internal::kLanguageCodesCount, *code)) {
    return std::nullopt;
  }
  for (const LanguageCode& l : kLanguages) {
    if (l.code == *code) return std::string(l.tag);
  }
  for (const LanguageCode& l : kMoreLanguages) {
    if (l.code == *code) return std::string(l.tag);
  }
  return lower(*code);
}

std::string nutsUri(std::string_view code) {
  if (!listed(internal::kNutsCodes, internal::kNutsCodesCount, code)) return {};
  return std::string(kNutsPrefix) + std::string(code);
}

std::optional<std::string> nutsFromUri(std::string_view uri) {
  auto code = after(uri, kNutsPrefix);
  if (!code || !listed(internal::kNutsCodes, internal::kNutsCodesCount, *code)) {
    return std::nullopt;
  }
  return std::string(*code);
}

std::string countryUriOfNuts(std::string_view nuts_code) {
  std::string_view prefix = nuts_code.substr(0, 2);
  for (const CountryCode& c : kCountries) {
    if (c.nuts == prefix) return std::string(kCountryPrefix) + std::string(c.code);
  }
  return {};
}

bool isCountryUri(std::string_view uri) {
  auto code = after(uri, kCountryPrefix);
  return code && listed(internal::kCountryCodes, internal::kCountryCodesCount, *code);
}

std::string currencyUri(std::string_view code) {
  if (!listed(internal::kCurrencyCodes, internal::kCurrencyCodesCount, code)) return {};
  return std::string(kCurrencyPrefix) + std::string(code);
}

std::optional<std::string> currencyFromUri(std::string_view uri) {
  auto code = after(uri, kCurrencyPrefix);
  if (!code || !listed(internal::kCurrencyCodes, internal::kCurrencyCodesCount, *code)) {
    return std::nullopt;
  }
  return std::string(*code);
}

bool isIscedUri(std::string_view uri) {
  auto code = after(uri, kIscedPrefix);
  return code && listed(internal::kIscedCodes, internal::kIscedCodesCount, *code);
}

}  // namespace eichub::elm
