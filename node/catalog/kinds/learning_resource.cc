// LearningResource: a course or other learning opportunity (LRMI Course, ELM
// LearningOpportunity) and the skills it teaches (docs/catalogue-jsonl.md "LearningResource").
#include <array>
#include <cmath>

#include "node/catalog/internal/kind_entries.h"
#include "node/catalog/internal/kind_index.h"
#include "node/catalog/internal/kind_read.h"
#include "node/catalog/internal/kind_write.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;
using nlohmann::json;

constexpr StringRule kCurrencyRule{kMaxTokenBytes, Chars::kToken, isCurrency,
                                   "an ISO 4217 code such as \"EUR\""};

// Whether amount, as the JSON text gives it (the shortest form that reads back the same
// double), has at most two decimals. Multiplying by 100 cannot tell once amounts reach 10^9:
// the product's rounding error passes any fixed tolerance.
bool atMostTwoDecimals(const json& amount) {
  if (!amount.is_number_float()) return true;  // an integer
  const std::string text = amount.dump();
  // An exponent is only written for numbers far from the range prices take: below 10^-4 (more
  // than two decimals) or over 10^15 (refused above).
  if (text.find_first_of("eE") != std::string::npos) return false;
  const size_t dot = text.find('.');
  return dot == std::string::npos || text.size() - dot - 1 <= 2;
}

void readPrice(ObjectReader& r, schema::LearningResource::Builder b) {
  const json* price = r.member("price");
  if (r.failed() || price == nullptr) return;
  if (!price->is_object()) {
    r.fail("price",
           std::string("expected {\"amount\":..., \"currency\":...}, got ") + price->type_name());
    return;
  }
  if (price->empty()) return;
  ObjectReader p(*price, "price");
  const json* amount = p.member("amount");
  std::string currency = p.string("currency", kCurrencyRule, true);
  if (amount == nullptr) {
    p.fail("price.amount", "missing required field");
  } else if (!amount->is_number()) {
    p.fail("price.amount", std::string("expected a number, got ") + amount->type_name());
  } else {
    double d = amount->get<double>();
    double cents = std::round(d * 100);
    if (!std::isfinite(d) || d < 0 || d > kMaxPriceAmount) {
      p.fail("price.amount", "expected a number >= 0 and <= " + json(kMaxPriceAmount).dump() +
                                 ", got " + amount->dump());
    } else if (!atMostTwoDecimals(*amount)) {
      p.fail("price.amount", "more than two decimals: " + amount->dump());
    } else {
      auto out = b.initPrice();
      out.setAmountCents(static_cast<uint64_t>(cents));
      out.setCurrency(text(currency));
    }
  }
  if (Status st = p.finish(); !st.ok()) r.setError(st);
}

void readLearningResource(ObjectReader& r, schema::Record::Builder record) {
  auto b = record.initLearningResource();
  b.setId(text(r.string("id", kIdRule, true)));
  setLangTexts(r.langTexts("title", kLabelRule, true), [&](unsigned n) { return b.initTitle(n); });
  setLangTexts(r.langTexts("description", kTextRule),
               [&](unsigned n) { return b.initDescription(n); });
  if (auto s = r.string("url", kUrlRule); !s.empty()) b.setUrl(text(s));
  if (auto s = r.string("provider", kIdRule); !s.empty()) b.setProvider(text(s));
  setStrings(r.strings("languages", kLanguageRule), [&](unsigned n) { return b.initLanguages(n); });
  std::string mode = r.oneOf("mode", {"online", "onsite", "blended"});
  b.setMode(mode == "online"    ? schema::Mode::ONLINE
            : mode == "onsite"  ? schema::Mode::ONSITE
            : mode == "blended" ? schema::Mode::BLENDED
                                : schema::Mode::UNSPECIFIED);
  if (auto level = r.integer("eqfLevel", 1, 8)) b.setEqfLevel(static_cast<uint8_t>(*level));
  if (auto hours = r.positiveNumber("durationHours", kMaxDurationHours)) b.setDurationHours(*hours);
  readPrice(r, b);
  if (auto s = r.string("licence", kRefRule); !s.empty()) b.setLicence(text(s));
  setSkillRefs(r.skillRefs("teaches"), [&](unsigned n) { return b.initTeaches(n); });
  setStrings(r.strings("sectors", kTokenRule), [&](unsigned n) { return b.initSectors(n); });
  if (auto s = r.string("region", kRegionRule); !s.empty()) b.setRegion(text(s));
  std::string from = r.string("validFrom", kDateRule);
  std::string until = r.string("validUntil", kDateRule);
  if (!from.empty() && !until.empty() && until < from) {
    r.fail("validUntil", "before validFrom (" + from + ")");
  }
  if (!from.empty()) b.setValidFrom(text(from));
  if (!until.empty()) b.setValidUntil(text(until));
  setLangTexts(r.langLists("keywords", kLabelRule), [&](unsigned n) { return b.initKeywords(n); });
}

const char* modeName(schema::Mode mode) {
  switch (mode) {
    case schema::Mode::ONLINE:
      return "online";
    case schema::Mode::ONSITE:
      return "onsite";
    case schema::Mode::BLENDED:
      return "blended";
    case schema::Mode::UNSPECIFIED:
      break;
  }
  return nullptr;
}

void writeLearningResource(schema::Record::Reader record, json& o) {
  auto r = record.getLearningResource();
  putText(o, "id", r.getId());
  putLangTexts(o, "title", r.getTitle());
  putLangTexts(o, "description", r.getDescription());
  putText(o, "url", r.getUrl());
  putText(o, "provider", r.getProvider());
  putStrings(o, "languages", r.getLanguages());
  if (const char* mode = modeName(r.getMode())) o["mode"] = mode;
  if (r.getEqfLevel() != 0) o["eqfLevel"] = r.getEqfLevel();
  if (r.getDurationHours() != 0) o["durationHours"] = r.getDurationHours();
  if (r.hasPrice()) {
    capnp::Text::Reader currency = r.getPrice().getCurrency();
    o["price"] = {{"amount", static_cast<double>(r.getPrice().getAmountCents()) / 100.0},
                  {"currency", std::string(currency.cStr(), currency.size())}};
  }
  putText(o, "licence", r.getLicence());
  putSkillRefs(o, "teaches", r.getTeaches());
  putStrings(o, "sectors", r.getSectors());
  putText(o, "region", r.getRegion());
  putText(o, "validFrom", r.getValidFrom());
  putText(o, "validUntil", r.getValidUntil());
  putLangLists(o, "keywords", r.getKeywords());
}

void identifyLearningResource(schema::Record::Reader record, std::string& id,
                              std::vector<std::string>& tags) {
  auto r = record.getLearningResource();
  setId(id, r.getId());
  for (auto sector : r.getSectors()) addTag(tags, "sector:", sector);
  addTag(tags, "region:", r.getRegion());
  addSkillTags(tags, r.getTeaches());
}

void searchLearningResource(schema::Record::Reader record, SearchFields& out) {
  out.names = record.getLearningResource().getTitle();
  out.other_names = record.getLearningResource().getKeywords();
  addSkillUris(out.skills, record.getLearningResource().getTeaches());
}

constexpr std::array kLearningResourceAliases = {"learningresource"sv, "resource"sv};

}  // namespace

const KindInfo& learningResourceKind() {
  static constexpr KindInfo kInfo{.kind = Kind::LEARNING_RESOURCE,
                                  .name = "LearningResource",
                                  .aliases = kLearningResourceAliases,
                                  .member = schema::Record::LEARNING_RESOURCE,
                                  .read_json = readLearningResource,
                                  .write_json = writeLearningResource,
                                  .identify = identifyLearningResource,
                                  .search_fields = searchLearningResource,
                                  .label_field = "title"};
  return kInfo;
}

}  // namespace eichub::catalog::internal
