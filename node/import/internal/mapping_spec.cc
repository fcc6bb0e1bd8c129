// Compiling TOML record specs of a CSV mapping, and rendering them for one row.
// Conversions (number, integer, price, weekly_hours) call the cell parsers of value_parsers.h.
#include "node/import/internal/mapping_spec.h"

#include <cmath>
#include <string_view>

#include "node/import/internal/value_parsers.h"

namespace eichub::import::internal {

namespace {

bool isEmpty(const nlohmann::json& v) {
  return v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         ((v.is_array() || v.is_object()) && v.empty());
}

Result<Template> compileTemplate(const toml::node& node, const std::string& path,
                                 const TemplateScope& scope) {
  const auto* s = node.as_string();
  if (s == nullptr) return Status::InvalidArgument(path, "expected a string");
  Result<Template> t = Template::compile(s->get(), scope);
  if (!t.ok()) return t.status().withContext(path);
  return t;
}

Result<Spec> compileConvert(const toml::table& table, const std::string& path,
                            const TemplateScope& scope) {
  Spec spec;
  spec.type = Spec::Type::kConvert;
  for (auto&& [key, value] : table) {
    std::string_view k = key.str();
    if (k != "from" && k != "parse" && k != "currency" && k != "weeks") {
      return Status::InvalidArgument(path + "." + std::string(k),
                                     "unknown key (a conversion has from, parse, currency, weeks)");
    }
  }
  EICHUB_ASSIGN_OR_RETURN(spec.text, compileTemplate(*table.get("from"), path + ".from", scope));
  const toml::node* parse = table.get("parse");
  const auto* name = parse != nullptr ? parse->as_string() : nullptr;
  if (name == nullptr) {
    return Status::InvalidArgument(
        path + ".parse", "expected one of number, positive_number, integer, price, weekly_hours");
  }
  const std::string& p = name->get();
  if (p == "number") {
    spec.parse = Spec::Parse::kNumber;
  } else if (p == "positive_number") {
    spec.parse = Spec::Parse::kPositiveNumber;
  } else if (p == "integer") {
    spec.parse = Spec::Parse::kInteger;
  } else if (p == "price") {
    spec.parse = Spec::Parse::kPrice;
  } else if (p == "weekly_hours") {
    spec.parse = Spec::Parse::kWeeklyHours;
  } else {
    return Status::InvalidArgument(path + ".parse",
                                   "expected one of number, positive_number, integer, "
                                   "price, weekly_hours; got \"" +
                                       p + "\"");
  }
  if (const toml::node* currency = table.get("currency")) {
    if (spec.parse != Spec::Parse::kPrice || !currency->is_string()) {
      return Status::InvalidArgument(path + ".currency", "only a price takes a currency string");
    }
    spec.currency = currency->as_string()->get();
  }
  const toml::node* weeks = table.get("weeks");
  if ((weeks != nullptr) != (spec.parse == Spec::Parse::kWeeklyHours)) {
    return Status::InvalidArgument(path + ".weeks", "weekly_hours, and only it, needs weeks");
  }
  if (weeks != nullptr) {
    EICHUB_ASSIGN_OR_RETURN(spec.weeks, compileTemplate(*weeks, path + ".weeks", scope));
  }
  return spec;
}

Result<nlohmann::json> renderConvert(const Spec& spec, const RowView& row,
                                     const std::string& path) {
  EICHUB_ASSIGN_OR_RETURN(std::string cell, spec.text.render(row));
  auto wrap = [&](const Status& s) { return s.withContext(path); };
  switch (spec.parse) {
    case Spec::Parse::kNumber: {
      auto v = parseNumber(cell);
      if (!v.ok()) return wrap(v.status());
      return v->has_value() ? nlohmann::json(**v) : nlohmann::json();
    }
    case Spec::Parse::kPositiveNumber: {
      auto v = parseNumber(cell);
      if (!v.ok()) return wrap(v.status());
      if (v->has_value() && **v < 0) {
        return wrap(Status::InvalidArgument("expected a number >= 0", cell));
      }
      return v->has_value() && **v > 0 ? nlohmann::json(**v) : nlohmann::json();
    }
    case Spec::Parse::kInteger: {
      auto v = parseInteger(cell);
      if (!v.ok()) return wrap(v.status());
      return v->has_value() ? nlohmann::json(**v) : nlohmann::json();
    }
    case Spec::Parse::kPrice: {
      auto v = parsePrice(cell, spec.currency);
      if (!v.ok()) return wrap(v.status());
      return *v;
    }
    case Spec::Parse::kWeeklyHours: {
      EICHUB_ASSIGN_OR_RETURN(std::string weeks, spec.weeks.render(row));
      auto v = parseWeeklyHours(cell, weeks);
      if (!v.ok()) return wrap(v.status());
      return v->has_value() ? nlohmann::json(**v) : nlohmann::json();
    }
  }
  return nlohmann::json();
}

}  // namespace

Result<Spec> compileSpec(const toml::node& node, const std::string& path,
                         const TemplateScope& scope) {
  Spec spec;
  if (node.is_string()) {
    spec.type = Spec::Type::kTemplate;
    EICHUB_ASSIGN_OR_RETURN(spec.text, compileTemplate(node, path, scope));
  } else if (const auto* integer = node.as_integer()) {
    spec.fixed = integer->get();
  } else if (const auto* f = node.as_floating_point()) {
    if (!std::isfinite(f->get())) return Status::InvalidArgument(path, "not a finite number");
    spec.fixed = f->get();
  } else if (const auto* b = node.as_boolean()) {
    spec.fixed = b->get();
  } else if (const auto* array = node.as_array()) {
    spec.type = Spec::Type::kArray;
    for (size_t i = 0; i < array->size(); ++i) {
      EICHUB_ASSIGN_OR_RETURN(
          Spec item, compileSpec(*array->get(i), path + "[" + std::to_string(i) + "]", scope));
      spec.items.push_back(std::move(item));
    }
  } else if (const auto* table = node.as_table()) {
    if (table->contains("from")) return compileConvert(*table, path, scope);
    spec.type = Spec::Type::kObject;
    for (auto&& [key, value] : *table) {
      std::string member_path =
          path.empty() ? std::string(key.str()) : path + "." + std::string(key.str());
      Result<Template> key_template = Template::compile(key.str(), scope);
      if (!key_template.ok()) return key_template.status().withContext(member_path);
      EICHUB_ASSIGN_OR_RETURN(Spec member, compileSpec(value, member_path, scope));
      spec.members.push_back(Spec::Member{std::move(key_template).value(), std::move(member)});
    }
  } else {
    return Status::InvalidArgument(path, "dates and times have no JSON form; use a string");
  }
  return spec;
}

Result<nlohmann::json> renderSpec(const Spec& spec, const RowView& row, const std::string& path) {
  switch (spec.type) {
    case Spec::Type::kFixed:
      return spec.fixed;
    case Spec::Type::kTemplate: {
      Result<std::string> s = spec.text.render(row);
      if (!s.ok()) return s.status().withContext(path);
      return nlohmann::json(std::move(s).value());
    }
    case Spec::Type::kArray: {
      nlohmann::json out = nlohmann::json::array();
      for (size_t i = 0; i < spec.items.size(); ++i) {
        EICHUB_ASSIGN_OR_RETURN(
            nlohmann::json item,
            renderSpec(spec.items[i], row, path + "[" + std::to_string(i) + "]"));
        if (!isEmpty(item)) out.push_back(std::move(item));
      }
      return out;
    }
    case Spec::Type::kObject: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [key_template, member] : spec.members) {
        Result<std::string> key = key_template.render(row);
        if (!key.ok()) return key.status().withContext(path);
        std::string member_path = path.empty() ? *key : path + "." + *key;
        EICHUB_ASSIGN_OR_RETURN(nlohmann::json value, renderSpec(member, row, member_path));
        if (isEmpty(value)) continue;
        if (key->empty()) return Status::InvalidArgument(path, "a key renders empty");
        if (out.contains(*key)) {
          return Status::InvalidArgument(member_path, "two keys render the same");
        }
        out[*key] = std::move(value);
      }
      return out;
    }
    case Spec::Type::kConvert:
      return renderConvert(spec, row, path);
  }
  return nlohmann::json();
}

}  // namespace eichub::import::internal
