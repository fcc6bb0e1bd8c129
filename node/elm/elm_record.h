// One learning resource or provider as a small LOQ document (a Courses root holding that one
// entity), the ELM metadata of an OAI-PMH record (docs/oai.md).
#pragma once

#include <string>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "schemas/catalog.capnp.h"

namespace eichub::elm {

// The document without its XML declaration. A learning resource gives its
// learningOpportunity; a provider its organisation. Skill labels and provider names held in
// other records are not looked up. Errors: InvalidArgument for another kind of record,
// IOError when libxml2 fails.
Result<std::string> recordElm(schema::Record::Reader record, const PublicKey& author);

}  // namespace eichub::elm
