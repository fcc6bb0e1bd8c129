// The match query of a posted need: the skills and occupation of a SkillNeed record, so that
// `eichub match --need` and GET /api/v1/match?need= read a need the same way.
#pragma once

#include <string>

#include "federation/common/status.h"
#include "node/match/matcher.h"
#include "node/store/catalog_store.h"

namespace eichub::match {

// Adds the skills and occupation of the SkillNeed record with id need_id to query.
// Errors: NotFound (no such need held), InvalidArgument (several authors posted that id: the
// caller must name the skills instead), Corruption (its body does not decode), IOError.
Status addNeedToQuery(const store::CatalogStore& store, const std::string& need_id,
                      MatchQuery& query);

}  // namespace eichub::match
