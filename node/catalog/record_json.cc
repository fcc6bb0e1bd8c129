// JSON object <-> record: the common members ("kind", "op", "id" of a delete or erase) here, the
// rest in the kind's entry of the registry (KindInfo::read_json and write_json).
#include "node/catalog/record_json.h"

#include <string>
#include <utility>

#include <capnp/message.h>
#include <kj/exception.h>

#include "node/catalog/internal/kind_read.h"

namespace eichub::catalog {

using internal::kIdRule;
using internal::kTokenRule;
using internal::ObjectReader;
using nlohmann::json;

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
    kindInfo(*kind)->read_json(r, record);  // kindFromName gives catalogue kinds only
    EICHUB_RETURN_IF_ERROR(r.finish());
    return changeFromRecord(record.asReader());
  } catch (const kj::Exception& e) {
    // Not expected with the limits above; Cap'n Proto reports overflows by throwing.
    return Status::InvalidArgument("record", e.getDescription().cStr());
  }
}

json recordToJson(schema::Record::Reader record) {
  const KindInfo* info = kindInfo(record);
  if (info == nullptr) return nullptr;
  json o = json::object();
  o["kind"] = info->name;
  info->write_json(record, o);
  return o;
}

std::string recordLabel(const json& record, std::string_view lang) {
  if (!record.is_object() || !record.contains("kind") || !record["kind"].is_string()) return "";
  std::optional<Kind> kind = kindFromName(record["kind"].get<std::string>());
  if (!kind) return "";
  const std::string field(kindInfo(*kind)->label_field);
  if (field.empty() || !record.contains(field)) return "";
  const json& texts = record[field];
  if (!texts.is_object() || texts.empty()) return "";
  for (const std::string& tag : {std::string(lang), std::string("en")}) {
    if (!tag.empty() && texts.contains(tag) && texts[tag].is_string()) {
      return texts[tag].get<std::string>();
    }
  }
  return texts.begin()->is_string() ? texts.begin()->get<std::string>() : "";
}

}  // namespace eichub::catalog
