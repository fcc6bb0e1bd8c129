// The registry's table, one line per kind, and its lookups. Each kind's entry is in
// node/catalog/kinds/<kind>.cc.
#include "node/catalog/kinds.h"

#include <array>
#include <cctype>
#include <string>

#include "federation/common/check.h"
#include "node/catalog/internal/kind_entries.h"

namespace eichub::catalog {
namespace {

// Indexed by number (the first use checks it); trust's is the number the federation reserves.
const auto& table() {
  static const auto kKinds = [] {
    auto kinds = std::to_array<KindInfo>({
        internal::skillKind(),
        internal::skillGroupKind(),
        internal::occupationKind(),
        internal::occupationGroupKind(),
        internal::learningResourceKind(),
        internal::providerKind(),
        internal::clusterProfileKind(),
        internal::skillNeedKind(),
        internal::trustKind(),
    });
    for (size_t i = 0; i < kinds.size(); ++i) {
      EICHUB_CHECK(static_cast<size_t>(kinds[i].kind) == i) << kinds[i].name << " out of order";
    }
    return kinds;
  }();
  return kKinds;
}
static_assert(static_cast<feed::KindCode>(Kind::TRUST) == feed::kTrustKind);

std::string joinCatalogue(std::string_view (*part)(const KindInfo&)) {
  std::string out;
  for (const KindInfo& k : table()) {
    if (k.catalogue()) out += (out.empty() ? "" : ", ") + std::string(part(k));
  }
  return out;
}

}  // namespace

std::span<const KindInfo> allKinds() { return table(); }

const KindInfo* kindInfo(Kind kind) {
  auto code = static_cast<size_t>(kind);
  return code < table().size() ? &table()[code] : nullptr;
}

const KindInfo* kindInfo(schema::Record::Reader record) {
  const schema::Record::Which member = record.which();
  for (const KindInfo& k : table()) {
    if (k.member == member) return &k;
  }
  return nullptr;
}

feed::KindCode kindCode(Kind kind) { return static_cast<feed::KindCode>(kind); }

std::optional<Kind> kindFromCode(feed::KindCode code) {
  if (code >= table().size()) return std::nullopt;
  return table()[code].kind;
}

std::optional<Kind> kindFromName(std::string_view name) {
  for (const KindInfo& k : table()) {
    if (k.catalogue() && k.name == name) return k.kind;
  }
  return std::nullopt;
}

std::string_view kindName(Kind kind) {
  const KindInfo* info = kindInfo(kind);
  return info != nullptr ? info->name : std::string_view();
}

std::string kindName(feed::KindCode code) {
  if (auto kind = kindFromCode(code)) return std::string(kindName(*kind));
  return "Kind" + std::to_string(code);
}

std::optional<Kind> parseKind(std::string_view name) {
  std::string lower;
  for (char c : name)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  for (const KindInfo& k : table()) {
    for (std::string_view alias : k.aliases) {
      if (alias == lower) return k.kind;
    }
  }
  return std::nullopt;
}

std::string_view catalogueKindNames() {
  static const std::string names = joinCatalogue([](const KindInfo& k) { return k.name; });
  return names;
}

std::string_view catalogueKindAliases() {
  static const std::string aliases = joinCatalogue([](const KindInfo& k) {
    std::string_view shortest = k.aliases.front();
    for (std::string_view alias : k.aliases) {
      if (alias.size() < shortest.size()) shortest = alias;
    }
    return shortest;
  });
  return aliases;
}

}  // namespace eichub::catalog
