// Change: one record to publish (or delete) in the node's own feed, before it is signed.
// Importers and the JSON Lines reader produce Changes; the publisher signs and stores them.
#pragma once

#include <string>
#include <vector>

#include "federation/common/bytes.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog {

struct Change {
  feed::Op op = feed::Op::UPSERT;
  feed::Kind kind = feed::Kind::SKILL;
  std::string id;
  std::vector<std::string> tags;  // derived from the record: sector:, region:, skill:
  Bytes body;                     // canonical Record bytes; empty for a delete
};

// Builds an upsert Change from a record: validates it (id present, texts valid UTF-8 and within
// limits, lists within limits), derives kind, id and tags, and encodes the canonical body.
// Errors: InvalidArgument naming the field at fault.
Result<Change> changeFromRecord(schema::Record::Reader record);

// A delete of (kind, id).
Change deleteChange(feed::Kind kind, std::string id);

// Decodes a body received from anywhere (store, peer, file) with explicit reader limits.
// Errors: InvalidArgument when the bytes are not a valid Record.
// The reader borrows from words; keep words alive while using it.
Result<schema::Record::Reader> readRecord(ByteView body, std::vector<capnp::word>& words);

}  // namespace eichub::catalog
