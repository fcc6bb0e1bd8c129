// The properties every Change an importer makes must have, checked by the jsonl and csv_mapping
// fuzz targets.
#pragma once

#include "node/catalog/change.h"

namespace eichub::fuzz {

// Aborts unless change is sound: a delete has no body; an upsert's body passes the peer-side
// checkBody with the same kind, id and tags, and its JSON form turns back into the same body.
void checkChange(const catalog::Change& change);

}  // namespace eichub::fuzz
