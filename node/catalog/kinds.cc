#include "node/catalog/kinds.h"

#include <array>
#include <cctype>
#include <string>

namespace eichub::catalog {
namespace {

using namespace std::string_view_literals;

constexpr std::array kSkillAliases = {"skill"sv};
constexpr std::array kSkillGroupAliases = {"skillgroup"sv};
constexpr std::array kOccupationAliases = {"occupation"sv};
constexpr std::array kOccupationGroupAliases = {"occupationgroup"sv};
constexpr std::array kResourceAliases = {"learningresource"sv, "resource"sv};
constexpr std::array kProviderAliases = {"provider"sv};
constexpr std::array kProfileAliases = {"clusterprofile"sv, "profile"sv};
constexpr std::array kNeedAliases = {"skillneed"sv, "need"sv};
constexpr std::array kTrustAliases = {"trust"sv};

constexpr std::array<KindInfo, 9> kKinds = {{
    {Kind::SKILL, "Skill", kSkillAliases},
    {Kind::SKILL_GROUP, "SkillGroup", kSkillGroupAliases},
    {Kind::OCCUPATION, "Occupation", kOccupationAliases},
    {Kind::OCCUPATION_GROUP, "OccupationGroup", kOccupationGroupAliases},
    {Kind::LEARNING_RESOURCE, "LearningResource", kResourceAliases},
    {Kind::PROVIDER, "Provider", kProviderAliases},
    {Kind::CLUSTER_PROFILE, "ClusterProfile", kProfileAliases},
    {Kind::SKILL_NEED, "SkillNeed", kNeedAliases},
    {Kind::TRUST, kTrustKindName, kTrustAliases, false},
}};

// The table is indexed by number, and trust's number is the one the federation reserves.
constexpr bool numberedInOrder() {
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (static_cast<size_t>(kKinds[i].kind) != i) return false;
  }
  return true;
}
static_assert(numberedInOrder());
static_assert(static_cast<feed::KindCode>(Kind::TRUST) == feed::kTrustKind);

std::string makeCatalogueKindNames() {
  std::string names;
  for (const KindInfo& k : kKinds) {
    if (k.catalogue) names += (names.empty() ? "" : ", ") + std::string(k.name);
  }
  return names;
}

}  // namespace

std::span<const KindInfo> allKinds() { return kKinds; }

feed::KindCode kindCode(Kind kind) { return static_cast<feed::KindCode>(kind); }

std::optional<Kind> kindFromCode(feed::KindCode code) {
  if (code >= kKinds.size()) return std::nullopt;
  return kKinds[code].kind;
}

std::optional<Kind> kindFromName(std::string_view name) {
  for (const KindInfo& k : kKinds) {
    if (k.catalogue && k.name == name) return k.kind;
  }
  return std::nullopt;
}

std::string_view kindName(Kind kind) {
  auto code = static_cast<size_t>(kind);
  return code < kKinds.size() ? kKinds[code].name : std::string_view();
}

std::string kindName(feed::KindCode code) {
  if (auto kind = kindFromCode(code)) return std::string(kindName(*kind));
  return "Kind" + std::to_string(code);
}

std::optional<Kind> parseKind(std::string_view name) {
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const KindInfo& k : kKinds) {
    for (std::string_view alias : k.aliases) {
      if (alias == lower) return k.kind;
    }
  }
  return std::nullopt;
}

std::string_view catalogueKindNames() {
  static const std::string names = makeCatalogueKindNames();
  return names;
}

}  // namespace eichub::catalog
