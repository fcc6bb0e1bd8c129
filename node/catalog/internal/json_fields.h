// Reading the members of a JSON object with path-named errors, for record_json.cc and the kinds'
// JSON readers (node/catalog/kinds/).
// Holds the string rules (length, characters, format) that the JSON form enforces.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "federation/common/status.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog::internal {

// Which characters a string may hold besides its format.
enum class Chars {
  kToken,  // no whitespace, no control characters: ids, uris, codes
  kLine,   // no control characters: labels, titles, names
  kText,   // no control characters except tab, CR and LF: descriptions, notes
};

// A string field's constraints. format, when set, returns true for an acceptable value and
// expect describes it for the error message.
struct StringRule {
  size_t max_bytes;
  Chars chars;
  bool (*format)(std::string_view) = nullptr;
  const char* expect = nullptr;
};

// Format checks.
bool isLanguageTag(std::string_view s);  // BCP 47 shape: "en", "nb", "pt-BR", "zh-Hant"
bool isNutsCode(std::string_view s);     // "UK", "UKE", "UKE4", "UKE42"
bool isDate(std::string_view s);         // YYYY-MM-DD with a real month and day
bool isCurrency(std::string_view s);     // ISO 4217 shape: three upper-case letters
bool isWebUrl(std::string_view s);       // http:// or https:// followed by something
bool isAbsoluteUri(std::string_view s);  // scheme ":" rest, e.g. "http://data.europa.eu/esco/..."

// Checks s against rule. Errors: InvalidArgument("<path>: <reason>").
Status checkString(std::string_view path, std::string_view s, const StringRule& rule);

// One entry of a language map.
struct LangTextValue {
  std::string lang;
  std::string text;
};

struct SkillRefValue {
  std::string skill;
  schema::Relation relation = schema::Relation::ESSENTIAL;
  bool suggested = false;        // proposed by the aligner at import, not by the author
  uint16_t suggested_score = 0;  // thousandths, when suggested
};

// Reads the members of one JSON object. A null member counts as absent, and so does an empty
// string, list or object. The first error sticks: later calls return empty values. finish()
// reports a member no call asked for ahead of any other error, so that a misspelt name is
// reported as unknown rather than as a missing required field.
// Borrows obj, which must be an object and outlive the reader.
class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& obj, std::string path);

  // The JSON path of member key, e.g. "teaches[0].skill".
  std::string pathOf(std::string_view key) const;
  // The member, or nullptr when absent or null; marks it as known.
  const nlohmann::json* member(std::string_view key);

  std::string string(std::string_view key, const StringRule& rule, bool required = false);
  // A string that must be one of allowed (absent gives "").
  std::string oneOf(std::string_view key, std::initializer_list<std::string_view> allowed);
  std::vector<std::string> strings(std::string_view key, const StringRule& rule);
  // {"en":"...","de":"..."}: one text per language, in tag order.
  std::vector<LangTextValue> langTexts(std::string_view key, const StringRule& rule,
                                       bool required = false);
  // {"en":["a","b"]}: several texts per language, in tag order then list order.
  std::vector<LangTextValue> langLists(std::string_view key, const StringRule& rule);
  // [{"skill":"<uri>","relation":"essential"|"optional"}], each optionally with
  // "suggested":true and "score":0..1 (kept to thousandths).
  std::vector<SkillRefValue> skillRefs(std::string_view key);
  // A JSON integer in [min, max] (a float such as 4.0 is a wrong type).
  std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max);
  // A finite JSON number in (0, max].
  std::optional<double> positiveNumber(std::string_view key, double max);

  // Records an error at path (a semantic check of the caller); the first error sticks.
  void fail(std::string path, std::string_view reason);
  // Records error (from a nested reader); the first error sticks.
  void setError(Status error);
  bool failed() const { return !error_.ok(); }
  // The first error so far, without the unknown-member check of finish().
  const Status& firstError() const { return error_; }
  // OK, or the unknown member, or the first error.
  Status finish() const;

 private:
  bool checkList(const nlohmann::json& list, const std::string& path);

  const nlohmann::json& obj_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
  Status error_;
};

}  // namespace eichub::catalog::internal
