// Origins: the name and region of each feed's author as this node knows them, and the
// catalogue counted per origin region. Read by the HTTP threads (status, feeds, peers).
#pragma once

#include <map>
#include <string>

#include "federation/common/result.h"
#include "node/http/node_snapshot.h"
#include "node/store/catalog_store.h"

namespace eichub::http {

// The region of records whose author's region this node does not know.
inline constexpr char kUnknownRegion[] = "unknown";

// Origins by author (hex). First what the reactor knows (this node's config, names and regions
// from the trust records held), then, for a name or region still empty, the author's cluster
// profile (its record "profile") when held. Reads the store; a store error leaves the profile
// fallback out. Thread-safe.
std::map<std::string, Origin> knownOrigins(const NodeSnapshot& snapshot,
                                           const store::CatalogStore& store);

// Live records per origin region, then per kind name: {"UKE42": {"LearningResource": 5}}.
// Authors with no known region count under kUnknownRegion. Errors: the store's.
Result<std::map<std::string, std::map<std::string, uint64_t>>> countsByRegion(
    const std::map<std::string, Origin>& origins, const store::CatalogStore& store);

}  // namespace eichub::http
