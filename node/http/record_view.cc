// recordView: a stored record state as JSON.
#include "node/http/record_view.h"

#include "node/catalog/change.h"
#include "node/catalog/record_json.h"

namespace eichub::http {

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
    doc["label"] = catalog::recordLabel(record);
    doc["record"] = std::move(record);
  }
  return doc;
}

}  // namespace eichub::http
