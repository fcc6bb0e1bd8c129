// The JSON form of a stored record for the HTTP API: its state, where it came from and, when
// the body is held, the record itself.
#pragma once

#include <nlohmann/json.hpp>

#include "node/store/catalog_store.h"

namespace eichub::http {

// {"kind", "id", "author", "signed_by", "seq", "time_ms", "deleted", "label", "record"}.
// author is the feed that wrote it, which is the key that signed it. label is the record's
// name in English, else its first language.
nlohmann::json recordView(const store::RecordState& state);

}  // namespace eichub::http
