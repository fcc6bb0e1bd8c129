// Subscription matching on header kinds and catalogue tags.
#include "node/catalog/subscription.h"

#include <string_view>

namespace eichub::catalog {

namespace {

// The value of a "<prefix><value>" tag, or empty when tag has another prefix.
std::string_view valueOf(std::string_view tag, std::string_view prefix) {
  if (tag.size() <= prefix.size() || tag.substr(0, prefix.size()) != prefix) return {};
  return tag.substr(prefix.size());
}

}  // namespace

bool Subscription::matches(const feed::HeaderFields& header) const {
  if (!kinds.empty()) {
    std::optional<Kind> kind = kindFromCode(header.kind);
    if (!kind || kinds.count(*kind) == 0) return false;
  }
  bool sector = sectors.empty();
  bool region = regions.empty();
  bool skill = skills.empty();
  for (const std::string& tag : header.tags) {
    if (std::string_view v = valueOf(tag, "sector:"); !v.empty()) {
      sector = sector || sectors.count(std::string(v)) != 0;
    } else if (std::string_view r = valueOf(tag, "region:"); !r.empty()) {
      for (const std::string& prefix : regions)
        region = region || r.substr(0, prefix.size()) == prefix;
    } else if (std::string_view s = valueOf(tag, "skill:"); !s.empty()) {
      skill = skill || skills.count(std::string(s)) != 0;
    }
  }
  return sector && region && skill;
}

std::function<bool(const feed::HeaderFields&)> Subscription::bodyFilter() const {
  if (everything()) return {};
  return [subscription = *this](const feed::HeaderFields& header) {
    return subscription.matches(header);
  };
}

}  // namespace eichub::catalog
