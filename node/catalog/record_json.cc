// JSON object -> Change: one reader per record kind, each naming its fields and their rules.
// The reverse direction (recordToJson) is in record_json_write.cc.
#include "node/catalog/record_json.h"

#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <capnp/message.h>
#include <kj/exception.h>

#include "federation/feed/update.h"
#include "node/catalog/internal/json_fields.h"

namespace eichub::catalog {

namespace {

using internal::Chars;
using internal::LangTextValue;
using internal::ObjectReader;
using internal::SkillRefValue;
using internal::StringRule;
using nlohmann::json;

bool isIscoCode(std::string_view s) {
  if (s.empty() || s.size() > 4) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// A CURVE public key in Z85: 32 bytes as 40 characters.
bool isZ85Key(std::string_view s) {
  static constexpr std::string_view kZ85 =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  if (s.size() != 40) return false;
  for (char c : s) {
    if (kZ85.find(c) == std::string_view::npos) return false;
  }
  return true;
}

constexpr StringRule kIdRule{feed::kMaxIdBytes, Chars::kToken};
constexpr StringRule kRefRule{kMaxUriBytes, Chars::kToken};
constexpr StringRule kLabelRule{kMaxLabelBytes, Chars::kLine};
constexpr StringRule kTextRule{kMaxTextBytes, Chars::kText};
constexpr StringRule kTokenRule{kMaxTokenBytes, Chars::kToken};
constexpr StringRule kShortLineRule{kMaxTokenBytes, Chars::kLine};
constexpr StringRule kRegionRule{kMaxTokenBytes, Chars::kToken, internal::isNutsCode,
                                 "a NUTS code such as \"UKE42\""};
constexpr StringRule kLanguageRule{kMaxTokenBytes, Chars::kToken, internal::isLanguageTag,
                                   "a language tag such as \"en\" or \"pt-BR\""};
constexpr StringRule kUrlRule{kMaxUriBytes, Chars::kToken, internal::isWebUrl,
                              "an http:// or https:// URL"};
constexpr StringRule kEndpointRule{kMaxUriBytes, Chars::kToken, internal::isAbsoluteUri,
                                   "an endpoint such as \"tcp://host:7100\""};
constexpr StringRule kDateRule{kMaxTokenBytes, Chars::kToken, internal::isDate,
                               "a date YYYY-MM-DD"};
constexpr StringRule kCurrencyRule{kMaxTokenBytes, Chars::kToken, internal::isCurrency,
                                   "an ISO 4217 code such as \"EUR\""};
constexpr StringRule kIscoRule{kMaxTokenBytes, Chars::kToken, isIscoCode,
                               "an ISCO-08 code of 1 to 4 digits"};
constexpr StringRule kZ85KeyRule{kMaxTokenBytes, Chars::kToken, isZ85Key,
                                 "a 40-character Z85 CURVE public key"};

capnp::Text::Reader text(const std::string& s) { return {s.data(), s.size()}; }

template <typename Init>
void setLangTexts(const std::vector<LangTextValue>& values, Init init) {
  if (values.empty()) return;
  auto list = init(static_cast<unsigned>(values.size()));
  for (unsigned i = 0; i < values.size(); ++i) {
    list[i].setLang(text(values[i].lang));
    list[i].setText(text(values[i].text));
  }
}

template <typename Init>
void setStrings(const std::vector<std::string>& values, Init init) {
  if (values.empty()) return;
  auto list = init(static_cast<unsigned>(values.size()));
  for (unsigned i = 0; i < values.size(); ++i) list.set(i, text(values[i]));
}

template <typename Init>
void setSkillRefs(const std::vector<SkillRefValue>& values, Init init) {
  if (values.empty()) return;
  auto list = init(static_cast<unsigned>(values.size()));
  for (unsigned i = 0; i < values.size(); ++i) {
    list[i].setSkill(text(values[i].skill));
    list[i].setRelation(values[i].relation);
    list[i].setSuggested(values[i].suggested);
    list[i].setSuggestedScore(values[i].suggested_score);
  }
}

// The label fields SkillGroup, OccupationGroup, Occupation and Skill share.
struct Labels {
  std::vector<LangTextValue> pref, alt, description;
  std::vector<std::string> broader;
};
Labels readLabels(ObjectReader& r) {
  Labels l;
  l.pref = r.langTexts("prefLabel", kLabelRule, true);
  l.alt = r.langLists("altLabels", kLabelRule);
  l.description = r.langTexts("description", kTextRule);
  l.broader = r.strings("broader", kRefRule);
  return l;
}
template <typename Builder>
void setLabels(const Labels& l, Builder b) {
  setLangTexts(l.pref, [&](unsigned n) { return b.initPrefLabel(n); });
  setLangTexts(l.alt, [&](unsigned n) { return b.initAltLabels(n); });
  setLangTexts(l.description, [&](unsigned n) { return b.initDescription(n); });
  setStrings(l.broader, [&](unsigned n) { return b.initBroader(n); });
}

void readSkill(ObjectReader& r, schema::Skill::Builder b) {
  b.setUri(text(r.string("id", kIdRule, true)));
  if (auto s = r.oneOf("skillType", {"skill/competence", "knowledge"}); !s.empty()) {
    b.setSkillType(text(s));
  }
  if (auto s = r.oneOf("reuseLevel",
                       {"transversal", "cross-sector", "sector-specific", "occupation-specific"});
      !s.empty()) {
    b.setReuseLevel(text(s));
  }
  setLabels(readLabels(r), b);
  setSkillRefs(r.skillRefs("related"), [&](unsigned n) { return b.initRelated(n); });
  if (auto s = r.string("status", kTokenRule); !s.empty()) b.setStatus(text(s));
}

// SkillGroup and OccupationGroup have the same fields.
template <typename Builder>
void readGroup(ObjectReader& r, Builder b) {
  b.setUri(text(r.string("id", kIdRule, true)));
  if (auto s = r.string("code", kTokenRule); !s.empty()) b.setCode(text(s));
  setLabels(readLabels(r), b);
}

void readOccupation(ObjectReader& r, schema::Occupation::Builder b) {
  b.setUri(text(r.string("id", kIdRule, true)));
  if (auto s = r.string("code", kTokenRule); !s.empty()) b.setCode(text(s));
  if (auto s = r.string("iscoGroup", kIscoRule); !s.empty()) b.setIscoGroup(text(s));
  setLabels(readLabels(r), b);
  setSkillRefs(r.skillRefs("skills"), [&](unsigned n) { return b.initSkills(n); });
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
    } else if (std::fabs(d * 100 - cents) > 1e-6) {
      p.fail("price.amount", "more than two decimals: " + amount->dump());
    } else {
      auto out = b.initPrice();
      out.setAmountCents(static_cast<uint64_t>(cents));
      out.setCurrency(text(currency));
    }
  }
  if (Status st = p.finish(); !st.ok()) r.setError(st);
}

void readLearningResource(ObjectReader& r, schema::LearningResource::Builder b) {
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

void readProvider(ObjectReader& r, schema::Provider::Builder b) {
  b.setId(text(r.string("id", kIdRule, true)));
  setLangTexts(r.langTexts("name", kLabelRule, true), [&](unsigned n) { return b.initName(n); });
  if (auto s = r.oneOf("providerKind", {"vet-school", "university", "vendor", "employer", "other"});
      !s.empty()) {
    b.setProviderKind(text(s));
  }
  if (auto s = r.string("region", kRegionRule); !s.empty()) b.setRegion(text(s));
  if (auto s = r.string("url", kUrlRule); !s.empty()) b.setUrl(text(s));
}

void readClusterProfile(ObjectReader& r, schema::ClusterProfile::Builder b) {
  b.setId(text(r.string("id", kIdRule, true)));
  setLangTexts(r.langTexts("name", kLabelRule, true), [&](unsigned n) { return b.initName(n); });
  if (auto s = r.string("region", kRegionRule); !s.empty()) b.setRegion(text(s));
  setStrings(r.strings("sectors", kTokenRule), [&](unsigned n) { return b.initSectors(n); });
  if (auto s = r.string("contact", kLabelRule); !s.empty()) b.setContact(text(s));
  if (auto s = r.string("peerEndpoint", kEndpointRule); !s.empty()) b.setPeerEndpoint(text(s));
  if (auto s = r.string("transportKey", kZ85KeyRule); !s.empty()) b.setTransportKey(text(s));
}

void readSkillNeed(ObjectReader& r, schema::SkillNeed::Builder b) {
  b.setId(text(r.string("id", kIdRule, true)));
  std::vector<std::string> skills = r.strings("skills", kRefRule);
  std::string occupation = r.string("occupation", kRefRule);
  if (!r.failed() && skills.empty() && occupation.empty()) {
    r.fail("skills", "missing: a SkillNeed names skills, an occupation or both");
  }
  setStrings(skills, [&](unsigned n) { return b.initSkills(n); });
  if (!occupation.empty()) b.setOccupation(text(occupation));
  if (auto s = r.string("region", kRegionRule); !s.empty()) b.setRegion(text(s));
  if (auto s = r.string("sector", kTokenRule); !s.empty()) b.setSector(text(s));
  if (auto n = r.integer("headcount", 1, kMaxHeadcount)) b.setHeadcount(static_cast<uint32_t>(*n));
  if (auto s = r.string("horizon", kShortLineRule); !s.empty()) b.setHorizon(text(s));
  setLangTexts(r.langTexts("note", kTextRule), [&](unsigned n) { return b.initNote(n); });
}

void readRecord(ObjectReader& r, catalog::Kind kind, schema::Record::Builder record) {
  switch (kind) {
    case catalog::Kind::SKILL:
      return readSkill(r, record.initSkill());
    case catalog::Kind::SKILL_GROUP:
      return readGroup(r, record.initSkillGroup());
    case catalog::Kind::OCCUPATION:
      return readOccupation(r, record.initOccupation());
    case catalog::Kind::OCCUPATION_GROUP:
      return readGroup(r, record.initOccupationGroup());
    case catalog::Kind::LEARNING_RESOURCE:
      return readLearningResource(r, record.initLearningResource());
    case catalog::Kind::PROVIDER:
      return readProvider(r, record.initProvider());
    case catalog::Kind::CLUSTER_PROFILE:
      return readClusterProfile(r, record.initClusterProfile());
    case catalog::Kind::SKILL_NEED:
      return readSkillNeed(r, record.initSkillNeed());
    case catalog::Kind::TRUST:
      break;
  }
  r.fail("kind", "kind has no JSON form");
}

}  // namespace

Result<Change> changeFromJson(const json& obj) {
  if (!obj.is_object()) {
    return Status::InvalidArgument("record",
                                   std::string("expected a JSON object, got ") + obj.type_name());
  }
  ObjectReader r(obj, "");
  std::string name = r.string("kind", kTokenRule, true);
  std::string op = r.oneOf("op", {"upsert", "delete", "erase"});
  // Before the kind is known no field is either, so finish() would blame every other field.
  if (r.failed()) return r.firstError();
  std::optional<catalog::Kind> kind = kindFromName(name);
  if (!kind) {
    return Status::InvalidArgument(
        "kind", "unknown kind \"" + name + "\" (known: " + std::string(catalogueKindNames()) + ")");
  }
  if (op == "delete" || op == "erase") {
    std::string id = r.string("id", kIdRule, true);
    EICHUB_RETURN_IF_ERROR(r.finish());
    return op == "delete" ? deleteChange(*kind, std::move(id)) : eraseChange(*kind, std::move(id));
  }
  try {
    capnp::MallocMessageBuilder message;
    auto record = message.initRoot<schema::Record>();
    readRecord(r, *kind, record);
    EICHUB_RETURN_IF_ERROR(r.finish());
    return changeFromRecord(record.asReader());
  } catch (const kj::Exception& e) {
    // Not expected with the limits above; Cap'n Proto reports overflows by throwing.
    return Status::InvalidArgument("record", e.getDescription().cStr());
  }
}

}  // namespace eichub::catalog
