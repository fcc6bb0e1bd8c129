// The elements of an LOQ export, one function per entity: learning opportunity, achievement
// specification, learning outcomes, organisation, location. Each writes in the element order
// loq.xsd's sequences require.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "federation/common/bytes.h"
#include "node/elm/xml_writer.h"
#include "schemas/catalog.capnp.h"

namespace eichub::elm::internal {

using Texts = std::vector<std::pair<std::string, std::string>>;  // (language tag, text)

// What the export keeps of the skills taught and the providers named (they sit in other
// records, and other sections, than the resources that reference them).
struct SkillInfo {
  Texts labels;
  std::string skill_type;
  std::string reuse_level;
};
struct ProviderInfo {
  Texts names;
  std::string kind;  // providerKind
  std::string region;
  std::string url;
  bool held = false;  // a Provider record was found
};

struct ExportContext {
  std::vector<std::string> langs;  // empty: all
  std::map<std::string, SkillInfo> skills;
  std::map<std::string, ProviderInfo> providers;
};

// The entries of list in the selected languages; with fallback, the first entry when none is.
Texts pick(const ExportContext& context, capnp::List<schema::LangText>::Reader list, bool fallback);
Texts pickTexts(const ExportContext& context, const Texts& texts, bool fallback);

// The organisation URI of a resource: its provider's, or its author's when it names none.
std::string providerOf(schema::LearningResource::Reader lr, const PublicKey& author);
// The location of a NUTS region when cv lists it, else empty.
std::string regionLocation(std::string_view region);

void writeOpportunity(XmlWriter& w, const ExportContext& context,
                      schema::LearningResource::Reader lr, const PublicKey& author);
void writeAchievement(XmlWriter& w, const ExportContext& context,
                      schema::LearningResource::Reader lr);
// The note of a learning outcome whose skill the aligner suggested at import (SkillRef.suggested),
// followed by " (score 0.712)"; the import reads it back.
inline constexpr std::string_view kSuggestedNote =
    "Suggested by automatic skill alignment at import; not confirmed by the provider";

// Returns the number of outcomes written; a suggested skill's carries kSuggestedNote.
size_t writeOutcomes(XmlWriter& w, const ExportContext& context,
                     schema::LearningResource::Reader lr);
// location_region: the region whose location the organisation points at.
void writeOrganisation(XmlWriter& w, const std::string& uri, const ProviderInfo& info,
                       std::string_view fallback_name, std::string_view location_region);
void writeLocation(XmlWriter& w, std::string_view region);

}  // namespace eichub::elm::internal
