// Properties of Changes: what a node publishes must pass what its peers check on receipt.
#include "tests/fuzz/change_checks.h"

#include "federation/common/check.h"
#include "node/catalog/record_json.h"

namespace eichub::fuzz {

void checkChange(const catalog::Change& change) {
  if (change.op != feed::Op::UPSERT) {
    EICHUB_CHECK(change.body.empty());
    return;
  }
  auto checked = catalog::checkBody(change.body);
  EICHUB_CHECK(checked.ok()) << "a body we made fails the peer check: "
                             << checked.status().toString();
  EICHUB_CHECK(checked->kind == change.kind && checked->id == change.id &&
               checked->tags == change.tags)
      << "the body describes another record than its change";
  auto reader = catalog::RecordReader::open(change.body);
  EICHUB_CHECK(reader.ok());
  auto again = catalog::changeFromJson(catalog::recordToJson((*reader)->root()));
  EICHUB_CHECK(again.ok()) << "the JSON form of a record is refused: " << again.status().toString();
  EICHUB_CHECK(again->body == change.body) << "JSON round trip changed the body";
}

}  // namespace eichub::fuzz
