// Reading the members of a JSON object with path-named errors, and the string checks of the
// JSON form (UTF-8, length, characters, formats).
#include "node/catalog/internal/json_fields.h"

#include <cmath>
#include <string>
#include <utility>

#include "federation/common/utf8.h"
#include "node/catalog/record_json.h"

namespace eichub::catalog::internal {

namespace {

bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlnum(char c) { return isUpper(c) || isLower(c) || isDigit(c); }

std::string gotType(const nlohmann::json& value) { return std::string("got ") + value.type_name(); }

// The first character that rule.chars forbids, as a reason; "" when there is none.
std::string badCharacter(std::string_view s, Chars chars) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    bool control = c < 0x20 || c == 0x7f ||
                   (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0);
    if (control) {
      if (chars == Chars::kText && (c == '\t' || c == '\n' || c == '\r')) continue;
      return "control character at byte " + std::to_string(i);
    }
    if (chars == Chars::kToken && c == ' ') return "space at byte " + std::to_string(i);
  }
  return "";
}

}  // namespace

bool isLanguageTag(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isLower(s[i])) ++i;
  if (i < 2 || i > 3) return false;
  while (i < s.size()) {
    if (s[i] != '-') return false;
    size_t start = ++i;
    while (i < s.size() && isAlnum(s[i])) ++i;
    if (i == start || i - start > 8) return false;
  }
  return true;
}

bool isNutsCode(std::string_view s) {
  if (s.size() < 2 || s.size() > 5 || !isUpper(s[0]) || !isUpper(s[1])) return false;
  for (size_t i = 2; i < s.size(); ++i) {
    if (!isUpper(s[i]) && !isDigit(s[i])) return false;
  }
  return true;
}

bool isDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!isDigit(s[i])) return false;
  }
  int year = 0;
  for (size_t i = 0; i < 4; ++i) year = year * 10 + (s[i] - '0');
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  int day = (s[8] - '0') * 10 + (s[9] - '0');
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return !(month == 2 && day == 29 && !leap);
}

bool isCurrency(std::string_view s) {
  return s.size() == 3 && isUpper(s[0]) && isUpper(s[1]) && isUpper(s[2]);
}

bool isWebUrl(std::string_view s) {
  for (std::string_view prefix : {"http://", "https://"}) {
    if (s.size() > prefix.size() && s.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

bool isAbsoluteUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == s.size()) return false;
  if (!isLower(s[0]) && !isUpper(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!isAlnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

Status checkString(std::string_view path, std::string_view s, const StringRule& rule) {
  if (!eichub::isValidUtf8(s)) return Status::InvalidArgument(path, "not valid UTF-8");
  if (s.size() > rule.max_bytes) {
    return Status::InvalidArgument(path, std::to_string(s.size()) + " bytes, over the limit of " +
                                             std::to_string(rule.max_bytes));
  }
  if (std::string bad = badCharacter(s, rule.chars); !bad.empty()) {
    return Status::InvalidArgument(path, bad);
  }
  if (rule.format != nullptr && !rule.format(s)) {
    return Status::InvalidArgument(
        path, std::string("expected ") + rule.expect + ", got \"" + std::string(s) + "\"");
  }
  return Status::OK();
}

ObjectReader::ObjectReader(const nlohmann::json& obj, std::string path)
    : obj_(obj), path_(std::move(path)) {}

std::string ObjectReader::pathOf(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  return path_ + "." + std::string(key);
}

const nlohmann::json* ObjectReader::member(std::string_view key) {
  known_.emplace(key);
  auto it = obj_.find(key);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

void ObjectReader::fail(std::string path, std::string_view reason) {
  if (error_.ok()) error_ = Status::InvalidArgument(path, reason);
}

void ObjectReader::setError(Status error) {
  if (error_.ok()) error_ = std::move(error);
}

std::string ObjectReader::string(std::string_view key, const StringRule& rule, bool required) {
  const nlohmann::json* value = member(key);
  if (failed()) return "";
  if (value == nullptr || (value->is_string() && value->get_ref<const std::string&>().empty())) {
    if (required) fail(pathOf(key), "missing required field");
    return "";
  }
  if (!value->is_string()) {
    fail(pathOf(key), "expected a string, " + gotType(*value));
    return "";
  }
  const auto& s = value->get_ref<const std::string&>();
  if (Status st = checkString(pathOf(key), s, rule); !st.ok()) {
    setError(st);
    return "";
  }
  return s;
}

std::string ObjectReader::oneOf(std::string_view key,
                                std::initializer_list<std::string_view> allowed) {
  std::string s = string(key, StringRule{kMaxTokenBytes, Chars::kToken});
  if (s.empty()) return s;
  std::string names;
  for (std::string_view a : allowed) {
    if (s == a) return s;
    names += names.empty() ? "" : ", ";
    names += a;
  }
  fail(pathOf(key), "expected one of " + names + ", got \"" + s + "\"");
  return "";
}

bool ObjectReader::checkList(const nlohmann::json& list, const std::string& path) {
  if (!list.is_array()) {
    fail(path, "expected a list, " + gotType(list));
    return false;
  }
  if (list.size() > kMaxListEntries) {
    fail(path, std::to_string(list.size()) + " entries, over the limit of " +
                   std::to_string(kMaxListEntries));
    return false;
  }
  return true;
}

std::vector<std::string> ObjectReader::strings(std::string_view key, const StringRule& rule) {
  std::vector<std::string> out;
  const nlohmann::json* value = member(key);
  if (failed() || value == nullptr || !checkList(*value, pathOf(key))) return out;
  for (size_t i = 0; i < value->size(); ++i) {
    std::string path = pathOf(key) + "[" + std::to_string(i) + "]";
    const nlohmann::json& entry = (*value)[i];
    if (!entry.is_string()) {
      fail(path, "expected a string, " + gotType(entry));
      return {};
    }
    const auto& s = entry.get_ref<const std::string&>();
    if (s.empty()) {
      fail(path, "empty entry");
      return {};
    }
    if (Status st = checkString(path, s, rule); !st.ok()) {
      setError(st);
      return {};
    }
    out.push_back(s);
  }
  return out;
}

std::vector<LangTextValue> ObjectReader::langTexts(std::string_view key, const StringRule& rule,
                                                   bool required) {
  std::vector<LangTextValue> out;
  const nlohmann::json* value = member(key);
  if (failed()) return out;
  if (value != nullptr && !value->is_object()) {
    fail(pathOf(key), "expected an object of language: text, " + gotType(*value));
    return out;
  }
  if (value != nullptr && value->size() > kMaxLanguages) {
    fail(pathOf(key), std::to_string(value->size()) + " languages, over the limit of " +
                          std::to_string(kMaxLanguages));
    return out;
  }
  static constexpr StringRule kLangRule{kMaxTokenBytes, Chars::kToken, isLanguageTag,
                                        "a language tag such as \"en\" or \"pt-BR\""};
  if (value != nullptr) {
    for (const auto& [lang, text] : value->items()) {
      std::string path = pathOf(key) + "." + lang;
      if (Status st = checkString(path, lang, kLangRule); !st.ok()) {
        setError(st);
        return {};
      }
      if (!text.is_string()) {
        fail(path, "expected a string, " + gotType(text));
        return {};
      }
      const auto& s = text.get_ref<const std::string&>();
      if (s.empty()) continue;
      if (Status st = checkString(path, s, rule); !st.ok()) {
        setError(st);
        return {};
      }
      out.push_back({lang, s});
    }
  }
  if (out.empty() && required) fail(pathOf(key), "missing required field");
  return out;
}

std::vector<LangTextValue> ObjectReader::langLists(std::string_view key, const StringRule& rule) {
  std::vector<LangTextValue> out;
  const nlohmann::json* value = member(key);
  if (failed() || value == nullptr) return out;
  if (!value->is_object()) {
    fail(pathOf(key), "expected an object of language: [texts], " + gotType(*value));
    return out;
  }
  if (value->size() > kMaxLanguages) {
    fail(pathOf(key), std::to_string(value->size()) + " languages, over the limit of " +
                          std::to_string(kMaxLanguages));
    return out;
  }
  ObjectReader inner(*value, pathOf(key));
  for (const auto& [lang, texts] : value->items()) {
    if (!isLanguageTag(lang) || lang.size() > kMaxTokenBytes) {
      fail(pathOf(key) + "." + lang, "expected a language tag such as \"en\" or \"pt-BR\"");
      return {};
    }
    for (std::string& s : inner.strings(lang, rule)) out.push_back({lang, std::move(s)});
    if (inner.failed()) {
      setError(inner.firstError());
      return {};
    }
    if (out.size() > kMaxListEntries) {
      fail(pathOf(key), "more than " + std::to_string(kMaxListEntries) + " entries in all");
      return {};
    }
  }
  return out;
}

namespace {

// A skill reference's "suggested" and "score" members: the aligner's mark (schema SkillRef).
void readSuggestion(ObjectReader& ref, SkillRefValue& v) {
  const nlohmann::json* suggested = ref.member("suggested");
  const nlohmann::json* score = ref.member("score");
  if (ref.failed()) return;
  if (suggested != nullptr && !suggested->is_boolean()) {
    ref.fail(ref.pathOf("suggested"), "expected true or false, " + gotType(*suggested));
    return;
  }
  v.suggested = suggested != nullptr && suggested->get<bool>();
  if (score == nullptr) return;
  if (!v.suggested) {
    ref.fail(ref.pathOf("score"), "only a suggested skill has a score");
    return;
  }
  double d = score->is_number() ? score->get<double>() : -1;
  if (!std::isfinite(d) || d < 0 || d > 1) {
    ref.fail(ref.pathOf("score"), "expected a number from 0 to 1, got " + score->dump());
    return;
  }
  v.suggested_score = static_cast<uint16_t>(std::lround(d * 1000));
}

}  // namespace

std::vector<SkillRefValue> ObjectReader::skillRefs(std::string_view key) {
  std::vector<SkillRefValue> out;
  const nlohmann::json* value = member(key);
  if (failed() || value == nullptr || !checkList(*value, pathOf(key))) return out;
  for (size_t i = 0; i < value->size(); ++i) {
    std::string path = pathOf(key) + "[" + std::to_string(i) + "]";
    const nlohmann::json& entry = (*value)[i];
    if (!entry.is_object()) {
      fail(path, "expected an object {\"skill\":..., \"relation\":...}, " + gotType(entry));
      return {};
    }
    ObjectReader ref(entry, path);
    SkillRefValue v;
    v.skill = ref.string("skill", StringRule{kMaxUriBytes, Chars::kToken}, true);
    std::string relation = ref.oneOf("relation", {"essential", "optional"});
    if (!ref.failed() && relation.empty())
      ref.fail(ref.pathOf("relation"), "missing required field");
    v.relation = relation == "optional" ? schema::Relation::OPTIONAL : schema::Relation::ESSENTIAL;
    readSuggestion(ref, v);
    if (Status st = ref.finish(); !st.ok()) {
      setError(st);
      return {};
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<int64_t> ObjectReader::integer(std::string_view key, int64_t min, int64_t max) {
  const nlohmann::json* value = member(key);
  if (failed() || value == nullptr) return std::nullopt;
  std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!value->is_number_integer()) {
    fail(pathOf(key), "expected an integer " + range + ", " + gotType(*value));
    return std::nullopt;
  }
  bool in_range = value->is_number_unsigned()
                      ? value->get<uint64_t>() <= static_cast<uint64_t>(max) &&
                            static_cast<int64_t>(value->get<uint64_t>()) >= min
                      : value->get<int64_t>() >= min && value->get<int64_t>() <= max;
  if (!in_range) {
    fail(pathOf(key), "out of range " + range + ": " + value->dump());
    return std::nullopt;
  }
  return value->get<int64_t>();
}

std::optional<double> ObjectReader::positiveNumber(std::string_view key, double max) {
  const nlohmann::json* value = member(key);
  if (failed() || value == nullptr) return std::nullopt;
  if (!value->is_number()) {
    fail(pathOf(key), "expected a number, " + gotType(*value));
    return std::nullopt;
  }
  double d = value->get<double>();
  if (!std::isfinite(d) || d <= 0 || d > max) {
    fail(pathOf(key),
         "expected a number > 0 and <= " + nlohmann::json(max).dump() + ", got " + value->dump());
    return std::nullopt;
  }
  return d;
}

Status ObjectReader::finish() const {
  for (const auto& [key, value] : obj_.items()) {
    if (known_.count(key) != 0) continue;
    std::string names;
    for (const std::string& k : known_) names += (names.empty() ? "" : ", ") + k;
    return Status::InvalidArgument(pathOf(key), "unknown field (known: " + names + ")");
  }
  return error_;
}

}  // namespace eichub::catalog::internal
