// FeedWriter: signed feeds of records and trust records for raw peers.
#include "tests/multinode/trust_feeds.h"

#include <nlohmann/json.hpp>

#include "federation/common/check.h"
#include "node/catalog/record_json.h"

namespace eichub::testing {

FeedWriter::FeedWriter(const crypto::SigningKey& key, const std::string& network, int64_t time_ms)
    : key_(key), appender_(key, network, feed::Head{}), time_ms_(time_ms) {}

const feed::SignedUpdate& FeedWriter::record(catalog::Kind kind, const std::string& id) {
  nlohmann::json json = {{"id", id}};
  if (kind == catalog::Kind::SKILL) {
    json["kind"] = "Skill";
    json["prefLabel"] = {{"en", "skill " + id}};
  } else {
    json["kind"] = "LearningResource";
    json["title"] = {{"en", "course " + id}};
  }
  auto change = catalog::changeFromJson(json);
  EICHUB_CHECK(change.ok()) << change.status().toString();
  updates_.push_back(appender_
                         .append(change->op, catalog::kindCode(change->kind), change->id,
                                 change->tags, change->body, time_ms_++)
                         .signed_update);
  return updates_.back();
}

const feed::SignedUpdate& FeedWriter::trustRecord(const trust::TrustRecord& record) {
  updates_.push_back(appender_
                         .append(feed::Op::UPSERT, feed::kTrustKind, trust::recordId(record), {},
                                 trust::encodeRecord(record), time_ms_++)
                         .signed_update);
  return updates_.back();
}

trust::Rotation rotation(const std::string& network, const crypto::SigningKey& old_key,
                         const crypto::SigningKey& new_key) {
  return trust::Rotation{
      new_key.publicKey(),
      new_key.sign(trust::rotationMessage(network, old_key.publicKey(), new_key.publicKey()))};
}

}  // namespace eichub::testing
