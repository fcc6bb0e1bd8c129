// The JSON form of catalogue records (docs/catalogue-jsonl.md): one JSON object <-> one Change.
// Field names follow schemas/catalog.capnp in camelCase (schema.org LRMI / Europass ELM / ESCO).
// Each kind's fields are read and written by its entry in the kind registry (kinds.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "federation/common/result.h"
#include "node/catalog/change.h"
#include "node/catalog/kinds.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog {

// Limits the JSON form adds to those of change.h (kMaxTextBytes for descriptions and notes,
// kMaxListEntries for every list). Each has a reason; tests send the limit and limit+1.
inline constexpr size_t kMaxLabelBytes = 1024;      // a title, label or name is one line
inline constexpr size_t kMaxTokenBytes = 64;        // codes, tags, sectors, language tags
inline constexpr size_t kMaxUriBytes = 2048;        // the common practical URL limit
inline constexpr size_t kMaxLanguages = 64;         // ESCO has 28 languages, the EU 24
inline constexpr double kMaxDurationHours = 20000;  // a full degree is ~5,400 study hours
// A price in any currency: 10^7 refused a 600-euro course priced in Indonesian rupiah. Cents up
// to 10^14 stay exact in a double (below 2^53).
inline constexpr double kMaxPriceAmount = 1e12;
inline constexpr int64_t kMaxHeadcount = 1000000;  // more than any region's need for a skill

// Turns one JSON object (one JSON Lines line) into a Change.
// {"kind":K,"id":I,"op":"delete"} makes a delete and "op":"erase" an erase; anything else (op
// absent or "upsert") builds a Record of kind K from the fields and passes it to changeFromRecord.
// An empty string, list or object means "not stated" and is the same as leaving the field out.
// Language maps are stored in language-tag order, so the body does not depend on key order in the
// input. Errors: InvalidArgument whose message starts with the JSON path at fault
// ("teaches[0].relation:
// ...") for an unknown field, a wrong type, a missing required field, a value out of range or
// over its limit, or a string that is not valid UTF-8. Thread-safe; obj is only read.
Result<Change> changeFromJson(const nlohmann::json& obj);

// The JSON form of a record, in the shape changeFromJson accepts: empty fields are left out,
// and changeFromJson(recordToJson(r)) gives r's bytes back for any record that changeFromJson
// produced (language entries in tag order). record must come from a builder or from a
// RecordReader over a body that passed checkBody(): traversing a malformed message may throw.
// Returns null for a union member this build does not know (a newer schema).
// Strings are copied as they are: dump() with error_handler_t::replace if they may hold bad UTF-8.
nlohmann::json recordToJson(schema::Record::Reader record);

// The name of a record in recordToJson's form, for a person to read: from the language map its
// kind names records by (KindInfo::label_field), the text in lang when given and held, else in
// English, else in the first language in tag order; "" for a kind without names.
std::string recordLabel(const nlohmann::json& record, std::string_view lang = "");

}  // namespace eichub::catalog
