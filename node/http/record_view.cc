// recordView: a stored record state as JSON.
#include "node/http/record_view.h"

#include "node/catalog/change.h"
#include "node/catalog/record_json.h"

namespace eichub::http {
namespace {

std::string displayLabel(const nlohmann::json& record) {
  for (const char* field : {"prefLabel", "title", "name"}) {
    if (!record.contains(field) || !record[field].is_object() || record[field].empty()) continue;
    const nlohmann::json& texts = record[field];
    if (texts.contains("en") && texts["en"].is_string()) return texts["en"].get<std::string>();
    if (texts.begin()->is_string()) return texts.begin()->get<std::string>();
  }
  return "";
}

}  // namespace

nlohmann::json recordView(const store::RecordState& state) {
  const std::string author = toHex(state.key.author);
  nlohmann::json doc = {{"kind", std::string(catalog::kindName(state.key.kind))},
                        {"id", state.key.id},
                        {"author", author},
                        {"signed_by", author},
                        {"seq", state.seq},
                        {"time_ms", state.time_ms},
                        {"deleted", state.op != feed::Op::UPSERT}};
  if (auto reader = catalog::RecordReader::open(state.body); reader.ok()) {
    nlohmann::json record = catalog::recordToJson((*reader)->root());
    doc["label"] = displayLabel(record);
    doc["record"] = std::move(record);
  }
  return doc;
}

}  // namespace eichub::http
