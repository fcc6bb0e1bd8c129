// The LOQ entities the import reads, taken from one expanded element each: what eichub keeps of
// a learning opportunity, an achievement specification (or qualification), a learning outcome,
// an organisation and a location. Controlled-vocabulary URIs are checked here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "federation/common/result.h"
#include "schemas/catalog.capnp.h"

namespace eichub::elm::internal {

using Texts = std::vector<std::pair<std::string, std::string>>;  // (language tag, text)

struct Opportunity {
  std::string id;  // the URI
  int line = 0;
  Texts titles, descriptions;
  std::string homepage;
  std::string start_date, end_date;  // YYYY-MM-DD
  std::optional<schema::Mode> mode;
  // Every priceDetail/amount with unit and value, in order: (decimal value, currency).
  std::vector<std::pair<std::string, std::string>> prices;
  std::vector<std::string> providers, locations;  // idrefs
  std::string achievement;                        // idref
  std::string default_language;                   // a tag
};

struct Achievement {
  std::vector<std::string> languages;  // tags
  std::string volume;                  // xs:duration
  uint8_t eqf_level = 0;
  std::optional<schema::Mode> mode;
  std::vector<std::string> outcomes;  // idrefs
};

struct Outcome {
  std::vector<std::string> skills;  // relatedESCOSkill and relatedSkill URIs
  // Set when an additionalNote says the skills were suggested at import (kSuggestedNote): the
  // score in thousandths.
  std::optional<uint16_t> suggested_score;
};

struct Organisation {
  std::string id;
  int line = 0;
  Texts names;
  std::string homepage;
  std::vector<std::string> locations;  // idrefs
};

struct Location {
  std::string region;  // NUTS code, or empty
};

// Each reads one element (an expanded subtree). Errors: InvalidArgument "line N: <element> <id>:
// ..." for a missing id or title, a value outside its controlled vocabulary.
Result<Opportunity> readOpportunity(xmlNodePtr node);
Result<Achievement> readAchievement(xmlNodePtr node);
Result<Outcome> readOutcome(xmlNodePtr node);
Result<Organisation> readOrganisation(xmlNodePtr node);
Result<Location> readLocation(xmlNodePtr node);

// The id attribute of an element, or empty.
std::string idOf(xmlNodePtr node);

}  // namespace eichub::elm::internal
