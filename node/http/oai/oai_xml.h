// The XML of OAI-PMH answers: escaping, the envelope, headers, and the oai_dc form of an item.
#pragma once

#include <string>
#include <string_view>

#include "node/http/oai/oai_items.h"

namespace eichub::http::oai {

inline constexpr std::string_view kElmPrefix = "elm_loq";
inline constexpr std::string_view kDcPrefix = "oai_dc";

std::string escape(std::string_view text);
// YYYY-MM-DDThh:mm:ssZ
std::string utcDatestamp(int64_t seconds);
// The envelope up to the request element (included) and after the verb's content.
std::string openEnvelope(int64_t now, const std::string& request_element);
std::string closeEnvelope();
// <header> of an item, status="deleted" for a tombstone or erased body.
std::string itemHeader(const std::string& repository, const Item& item);
// The <metadata> element of a held item in a metadata format; empty for a deleted one.
Result<std::string> itemMetadata(const Item& item, std::string_view prefix);

}  // namespace eichub::http::oai
