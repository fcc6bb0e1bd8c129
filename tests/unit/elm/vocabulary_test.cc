// The ELM vocabularies and ids: every URI the export can write is listed by cv/*.xsd (read from
// ../shared/standards), mappings go both ways, and ids survive a round trip through URIs.
#include "node/elm/vocabulary.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "node/elm/duration.h"
#include "node/elm/elm_ids.h"

namespace eichub::elm {
namespace {

std::string cvDir() {
  std::string dir = std::string(EICHUB_SOURCE_DIR) + "/../shared/standards/elm-loq-3.1.0/cv";
  std::error_code ec;
  return std::filesystem::is_directory(dir, ec) ? dir : "";
}

// True when cv/file lists uri as an enumeration value.
bool listedIn(const std::string& file, std::string_view uri) {
  std::ifstream in(cvDir() + "/" + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str().find("value=\"" + std::string(uri) + "\"") != std::string::npos;
}

TEST(ElmVocabulary, EveryUriWrittenIsListedByTheVocabularies) {
  if (cvDir().empty()) GTEST_SKIP() << "../shared/standards/elm-loq-3.1.0 is absent";
  for (auto mode : {schema::Mode::ONLINE, schema::Mode::ONSITE, schema::Mode::BLENDED}) {
    EXPECT_TRUE(listedIn("europass-modes.xsd", modeUri(mode))) << modeUri(mode);
  }
  EXPECT_TRUE(listedIn("europass-learning-opportunity-types.xsd", kCourseTypeUri));
  EXPECT_TRUE(listedIn("europass-learning-setting-types.xsd", kFormalSettingUri));
  EXPECT_TRUE(listedIn("europass-learning-setting-types.xsd", kNonFormalSettingUri));
  EXPECT_TRUE(listedIn("isced-f.xsd", kIscedUnknownUri));
  for (uint8_t level = 1; level <= 8; ++level) EXPECT_TRUE(listedIn("eqf.xsd", eqfUri(level)));
  EXPECT_TRUE(listedIn("skill-types.xsd", skillTypeUri("knowledge")));
  EXPECT_TRUE(listedIn("skill-types.xsd", skillTypeUri("skill/competence")));
  for (auto level : {"transversal", "cross-sector", "sector-specific", "occupation-specific"}) {
    EXPECT_TRUE(listedIn("skill-reuse-levels.xsd", reuseLevelUri(level))) << level;
  }
  for (auto tag :
       {"ar", "bg", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "eu",
        "fa", "fi", "fo", "fr", "fy", "ga", "gl", "he", "hi", "hr", "hu", "hy", "is",
        "it", "ja", "ka", "ko", "lb", "lt", "lv", "mk", "mt", "nb", "nl", "nn", "no",
        "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv", "tr", "uk", "zh", "pt-BR"}) {
    std::string uri = languageUri(tag);
    ASSERT_FALSE(uri.empty()) << tag;
    EXPECT_TRUE(listedIn("language.xsd", uri)) << tag << " " << uri;
  }
  EXPECT_TRUE(listedIn("language.xsd", languageCodeUri(kMultipleLanguagesCode)));
  for (auto nuts : {"AL", "AT", "BA", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "EL", "ES",
                    "FI", "FR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "ME", "MK",
                    "MT", "NL", "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK", "TR", "UK"}) {
    std::string uri = countryUriOfNuts(nuts);
    EXPECT_TRUE(listedIn("country.xsd", uri)) << nuts << " " << uri;
    EXPECT_TRUE(isCountryUri(uri)) << uri;
  }
  EXPECT_TRUE(listedIn("country.xsd", kEuropeanUnionCountryUri));
  EXPECT_TRUE(listedIn("nuts.xsd", nutsUri("UKE42")));
  EXPECT_TRUE(listedIn("currency.xsd", currencyUri("EUR")));
}

TEST(ElmVocabulary, ValuesMapBothWays) {
  for (auto mode : {schema::Mode::ONLINE, schema::Mode::ONSITE, schema::Mode::BLENDED}) {
    EXPECT_EQ(modeFromUri(modeUri(mode)), mode);
  }
  EXPECT_TRUE(modeUri(schema::Mode::UNSPECIFIED).empty());
  // Work-based learning is in the vocabulary but not a catalogue mode; a made-up URI is neither.
  EXPECT_EQ(modeFromUri("http://data.europa.eu/snb/learning-assessment/729f3bed4b"),
            schema::Mode::UNSPECIFIED);
  EXPECT_EQ(modeFromUri("http://data.europa.eu/snb/learning-assessment/0000000000"), std::nullopt);
  for (uint8_t level = 1; level <= 8; ++level) EXPECT_EQ(eqfFromUri(eqfUri(level)), level);
  EXPECT_EQ(eqfFromUri("http://data.europa.eu/snb/eqf/9"), 0);
  EXPECT_TRUE(eqfUri(0).empty());
  EXPECT_EQ(languageFromUri(languageUri("de")), "de");
  EXPECT_EQ(languageFromUri(languageUri("nb")), "nb");
  EXPECT_EQ(languageFromUri("http://publications.europa.eu/resource/authority/language/HAI"),
            "hai");  // an authority code with no two-letter tag
  EXPECT_EQ(languageFromUri("http://publications.europa.eu/resource/authority/language/QQQ"),
            std::nullopt);
  EXPECT_EQ(languageFromUri("http://example.org/language/ENG"), std::nullopt);
  EXPECT_TRUE(languageUri("xx").empty());
  EXPECT_EQ(nutsFromUri(nutsUri("UKE42")), "UKE42");
  EXPECT_TRUE(nutsUri("XX999").empty());
  EXPECT_EQ(currencyFromUri(currencyUri("GBP")), "GBP");
  EXPECT_TRUE(currencyUri("ZZZ").empty());
  EXPECT_TRUE(isIscedUri(std::string(kIscedUnknownUri)));
  EXPECT_FALSE(isIscedUri("http://data.europa.eu/snb/isced-f/12345"));
}

TEST(ElmIds, CatalogueIdsSurviveARoundTripThroughUris) {
  for (std::string id : {"leeds/lr/wound-care", "acme 101", "ü/%/#?", "x"}) {
    std::string uri = opportunityUri(id);
    EXPECT_TRUE(uri.starts_with("urn:eichub:resource:")) << uri;
    EXPECT_EQ(uri.find(' '), std::string::npos) << uri;
    EXPECT_EQ(resourceIdFromUri(uri), id);
    EXPECT_EQ(providerIdFromUri(organisationUri(id)), id);
  }
  // An id that is a URI is its own URI; a URI from elsewhere is the id.
  EXPECT_EQ(opportunityUri("https://example.org/c/1"), "https://example.org/c/1");
  EXPECT_EQ(resourceIdFromUri("http://LOP-01"), "http://LOP-01");
  // A URI longer than an id may be becomes a stable hash.
  std::string long_uri = "http://example.org/" + std::string(300, 'a');
  EXPECT_EQ(resourceIdFromUri(long_uri), resourceIdFromUri(long_uri));
  EXPECT_TRUE(resourceIdFromUri(long_uri).starts_with("elm:"));
  EXPECT_NE(achievementUri("a"), achievementUri("b"));
  EXPECT_NE(outcomeUri("a", "s1"), outcomeUri("a", "s2"));
  EXPECT_EQ(outcomeUri("a", "s1"), outcomeUri("a", "s1"));
}

TEST(ElmDuration, HoursBothWays) {
  EXPECT_EQ(durationHours("PT12H"), 12.0);
  EXPECT_EQ(durationHours("PT1H30M"), 1.5);
  EXPECT_EQ(durationHours("P2DT4H"), 52.0);
  EXPECT_EQ(durationHours("P1W"), 168.0);
  EXPECT_EQ(durationHours("P3M"), std::nullopt);  // months have no fixed length
  EXPECT_EQ(durationHours("P1Y"), std::nullopt);
  EXPECT_EQ(durationHours("12 hours"), std::nullopt);
  EXPECT_EQ(durationHours("PTH"), std::nullopt);
  EXPECT_EQ(isoDuration(12), "PT12H");
  EXPECT_EQ(isoDuration(12.5), "PT12H30M");
  EXPECT_EQ(isoDuration(0.25), "PT15M");
  EXPECT_EQ(isoDuration(0), "");
  for (double hours : {12.0, 12.5, 0.25, 1000.0, 1.0 / 3}) {
    EXPECT_NEAR(*durationHours(isoDuration(hours)), hours, 1.0 / 3600) << hours;
  }
}

}  // namespace
}  // namespace eichub::elm
