// The compiled form of one [[record]] of a CSV mapping: a tree mirroring the JSON object it
// renders, whose strings are templates and whose conversion tables parse cells.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "federation/common/result.h"
#include "node/import/internal/mapping_template.h"

namespace eichub::import::internal {

// A TOML value of a record spec.
struct Spec {
  enum class Type {
    kFixed,     // a TOML number or boolean, copied as it is
    kTemplate,  // a TOML string: rendered to a JSON string
    kArray,     // a TOML array: a JSON array of its rendered items
    kObject,    // a TOML table: a JSON object; keys are templates too
    kConvert,   // a table with "from": a cell parsed into a number or a price
  };
  // kPositiveNumber: a number where 0 means not stated (left out), as a duration of 0 hours.
  enum class Parse { kNumber, kPositiveNumber, kInteger, kPrice, kWeeklyHours };

  // A key template and its value. Defined below Spec: clang's libstdc++ will not build a
  // std::pair with the still incomplete Spec.
  struct Member;

  Type type = Type::kFixed;
  nlohmann::json fixed;          // kFixed
  Template text;                 // kTemplate; kConvert: "from"
  std::vector<Spec> items;       // kArray
  std::vector<Member> members;   // kObject
  Parse parse = Parse::kNumber;  // kConvert
  std::string currency;          // kConvert, kPrice: default currency
  Template weeks;                // kConvert, kWeeklyHours
};

struct Spec::Member {
  Template key;
  Spec value;
};

// Compiles node, at TOML path `path` (for errors), into a Spec.
// Errors: InvalidArgument("path: reason") for a bad template, an unknown conversion key or
// parse name, or a TOML type with no JSON form (dates and times).
Result<Spec> compileSpec(const toml::node& node, const std::string& path,
                         const TemplateScope& scope);

// Renders spec for one row. Empty strings, lists and objects are left out of their parent, so
// an empty cell means "not stated". Errors: InvalidArgument("path: reason").
Result<nlohmann::json> renderSpec(const Spec& spec, const RowView& row, const std::string& path);

}  // namespace eichub::import::internal
