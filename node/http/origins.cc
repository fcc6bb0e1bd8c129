// Origins: the reactor's names and regions, completed from the cluster profiles held.
#include "node/http/origins.h"

#include "node/http/record_view.h"

namespace eichub::http {

std::map<std::string, Origin> knownOrigins(const NodeSnapshot& snapshot,
                                           const store::CatalogStore& store) {
  std::map<std::string, Origin> origins = snapshot.origins;
  auto profiles = store.queries().recordsById("profile");
  if (!profiles.ok()) return origins;
  for (const store::RecordState& state : *profiles) {
    if (state.key.kind != catalog::Kind::CLUSTER_PROFILE) continue;
    nlohmann::json view = recordView(state);
    if (!view.contains("record")) continue;  // body not held
    Origin& origin = origins[toHex(state.key.author)];
    const nlohmann::json& record = view["record"];
    if (origin.region.empty() && record.contains("region") && record["region"].is_string()) {
      origin.region = record["region"].get<std::string>();
    }
    if (origin.name.empty() && view["label"].is_string()) {
      origin.name = view["label"].get<std::string>();
    }
  }
  return origins;
}

Result<std::map<std::string, std::map<std::string, uint64_t>>> countsByRegion(
    const std::map<std::string, Origin>& origins, const store::CatalogStore& store) {
  EICHUB_ASSIGN_OR_RETURN(std::vector<store::AuthorKindCount> counts,
                          store.queries().countsByAuthor());
  std::map<std::string, std::map<std::string, uint64_t>> out;
  for (const store::AuthorKindCount& count : counts) {
    auto origin = origins.find(toHex(count.author));
    const bool known = origin != origins.end() && !origin->second.region.empty();
    out[known ? origin->second.region : kUnknownRegion][count.kind] += count.count;
  }
  return out;
}

}  // namespace eichub::http
