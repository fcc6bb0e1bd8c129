// The LOQ 3.1.0 controlled vocabularies eichub reads and writes: the URI of each value the
// catalogue holds (mode, EQF level, language, NUTS region, country, currency, ...) and back.
// Every URI written here is one that cv/*.xsd lists (tests/unit/elm/vocabulary_test.cc checks).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "schemas/catalog.capnp.h"

namespace eichub::elm {

// Namespaces of the LOQ document.
inline constexpr std::string_view kLoqNs = "http://data.europa.eu/snb/model/ap/loq-constraints/";
inline constexpr std::string_view kSkosNs = "http://www.w3.org/2004/02/skos/core#";
inline constexpr std::string_view kDcNs = "http://purl.org/dc/terms/";

// Fixed values: the learning opportunity type written (Course), the ISCED-F field when none is
// known ("Field unknown"), learning settings, skill types.
inline constexpr std::string_view kCourseTypeUri =
    "http://data.europa.eu/snb/learning-opportunity/05053c1cbe";
inline constexpr std::string_view kIscedUnknownUri = "http://data.europa.eu/snb/isced-f/9999";
inline constexpr std::string_view kFormalSettingUri =
    "http://data.europa.eu/snb/learning-setting/6fd4685715";
inline constexpr std::string_view kNonFormalSettingUri =
    "http://data.europa.eu/snb/learning-setting/e207a81fc7";
// "Multiple languages": the default language of a resource that names none the vocabulary has.
inline constexpr std::string_view kMultipleLanguagesCode = "MUL";

// True when uri is one of the twelve learning opportunity types of cv.
bool isLearningOpportunityType(std::string_view uri);

// Mode <-> modes of learning and assessment. unspecified has no URI (empty). A URI of the
// vocabulary that has no catalogue mode (work-based, project-based, research-lab) gives
// unspecified; a URI outside the vocabulary gives nullopt.
std::string_view modeUri(schema::Mode mode);
std::optional<schema::Mode> modeFromUri(std::string_view uri);

// Whether uri is one of the two learning settings.
bool isLearningSetting(std::string_view uri);

// EQF level 1..8 <-> http://data.europa.eu/snb/eqf/N; 0 (not stated) for anything else.
std::string eqfUri(uint8_t level);
uint8_t eqfFromUri(std::string_view uri);

// Skill type ("skill/competence", "knowledge") and reuse level (transversal, ...) URIs; empty
// for a value with no URI.
std::string skillTypeUri(std::string_view skill_type);
std::string reuseLevelUri(std::string_view reuse_level);

// BCP 47 tag <-> EU language authority URI. A tag whose primary subtag the authority lists
// (two-letter through the ISO 639 table, three-letter as itself) gives its URI; others give
// empty. From a URI: the two-letter tag when there is one, else the code in lower case;
// nullopt for a URI outside the authority or a code it does not list.
std::string languageUri(std::string_view tag);
std::optional<std::string> languageFromUri(std::string_view uri);
std::string languageCodeUri(std::string_view code);  // code already an authority code

// NUTS code <-> http://data.europa.eu/nuts/code/CODE; empty / nullopt when cv does not list it.
std::string nutsUri(std::string_view code);
std::optional<std::string> nutsFromUri(std::string_view uri);

// The country of a NUTS code (its first two letters: "UK" -> GBR, "EL" -> GRC) as a country
// authority URI; empty when unknown. kEuropeanUnionCountryUri is the fallback for an address
// with no known country.
std::string countryUriOfNuts(std::string_view nuts_code);
inline constexpr std::string_view kEuropeanUnionCountryUri =
    "http://publications.europa.eu/resource/authority/country/EUR";
// Whether uri is a country the authority lists.
bool isCountryUri(std::string_view uri);

// ISO 4217 <-> currency authority URI; empty / nullopt when cv does not list it.
std::string currencyUri(std::string_view code);
std::optional<std::string> currencyFromUri(std::string_view uri);

// Whether uri is an ISCED-F field cv lists.
bool isIscedUri(std::string_view uri);

}  // namespace eichub::elm
