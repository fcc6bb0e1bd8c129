// MatchFilters: validation of user-given filter values, and the per-resource check.
#include "node/match/filters.h"

#include <algorithm>
#include <cctype>

#include <fmt/core.h>

namespace eichub::match {
namespace {

bool isLangTag(std::string_view tag) {
  // The shape record_json accepts: 2-3 lower-case letters, then "-" subtags of letters/digits.
  size_t i = 0;
  while (i < tag.size() && std::islower(static_cast<unsigned char>(tag[i]))) ++i;
  if (i < 2 || i > 3) return false;
  while (i < tag.size()) {
    if (tag[i] != '-') return false;
    size_t start = ++i;
    while (i < tag.size() && std::isalnum(static_cast<unsigned char>(tag[i]))) ++i;
    if (i - start < 1 || i - start > 8) return false;
  }
  return true;
}

bool isRegion(std::string_view region) {
  if (region.size() < 2 || region.size() > 5) return false;
  for (size_t i = 0; i < region.size(); ++i) {
    auto c = static_cast<unsigned char>(region[i]);
    if (!std::isupper(c) && (i < 2 || !std::isdigit(c))) return false;
  }
  return true;
}

bool isDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(date[i]))) return false;
  }
  int year = std::stoi(std::string(date.substr(0, 4)));
  int month = std::stoi(std::string(date.substr(5, 2)));
  int day = std::stoi(std::string(date.substr(8, 2)));
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29) return leap;
  return day <= kDays[month - 1];
}

bool isCurrency(std::string_view code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) {
           return std::isupper(static_cast<unsigned char>(c));
         });
}

}  // namespace

bool regionsOverlap(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  return a.size() <= b.size() ? b.substr(0, a.size()) == a : a.substr(0, b.size()) == b;
}

Status validateFilters(const MatchFilters& f) {
  if (!f.lang.empty() && !isLangTag(f.lang)) {
    return Status::InvalidArgument(
        fmt::format("lang: \"{}\" is not a language tag such as en or pt-BR", f.lang));
  }
  if (f.mode && *f.mode == Mode::kUnspecified) {
    return Status::InvalidArgument("mode: expected online, onsite or blended");
  }
  if (!f.region.empty() && !isRegion(f.region)) {
    return Status::InvalidArgument(
        fmt::format("region: \"{}\" is not a NUTS code such as UKE42", f.region));
  }
  for (auto [name, level] : {std::pair{"min_eqf", f.min_eqf}, std::pair{"max_eqf", f.max_eqf}}) {
    if (level > 8) {
      return Status::InvalidArgument(fmt::format("{}: EQF levels are 1..8, got {}", name, level));
    }
  }
  if (f.min_eqf != 0 && f.max_eqf != 0 && f.min_eqf > f.max_eqf) {
    return Status::InvalidArgument(
        fmt::format("min_eqf {} is above max_eqf {}", f.min_eqf, f.max_eqf));
  }
  if (f.max_price_cents && !isCurrency(f.currency)) {
    return Status::InvalidArgument("max_price: needs a currency of three capitals, e.g. EUR");
  }
  if (!f.valid_on.empty() && !isDate(f.valid_on)) {
    return Status::InvalidArgument(
        fmt::format("valid_on: \"{}\" is not a date YYYY-MM-DD", f.valid_on));
  }
  return Status::OK();
}

std::optional<Mode> parseMode(std::string_view text) {
  if (text == "online") return Mode::kOnline;
  if (text == "onsite") return Mode::kOnsite;
  if (text == "blended") return Mode::kBlended;
  return std::nullopt;
}

std::string_view modeName(Mode mode) {
  switch (mode) {
    case Mode::kOnline:
      return "online";
    case Mode::kOnsite:
      return "onsite";
    case Mode::kBlended:
      return "blended";
    case Mode::kUnspecified:
      break;
  }
  return "";
}

bool passes(const MatchFilters& f, const ResourceEntry& r) {
  if (!f.lang.empty() &&
      std::find(r.languages.begin(), r.languages.end(), f.lang) == r.languages.end()) {
    return false;
  }
  if (f.mode && r.mode != *f.mode) return false;
  if (!f.region.empty() && !regionsOverlap(f.region, r.region)) return false;
  if (f.min_eqf != 0 && (r.eqf_level == 0 || r.eqf_level < f.min_eqf)) return false;
  if (f.max_eqf != 0 && (r.eqf_level == 0 || r.eqf_level > f.max_eqf)) return false;
  if (f.max_price_cents) {
    bool free = r.has_price && r.price_cents == 0;
    bool affordable =
        r.has_price && r.currency == f.currency && r.price_cents <= *f.max_price_cents;
    if (!free && !affordable) return false;
  }
  if (!f.valid_on.empty()) {
    if (!r.valid_from.empty() && f.valid_on < r.valid_from) return false;
    if (!r.valid_until.empty() && f.valid_on > r.valid_until) return false;
  }
  return true;
}

}  // namespace eichub::match
