// Change: one record to publish (or delete) in the node's own feed, before it is signed.
// Importers and the JSON Lines reader produce Changes; the publisher signs and stores them.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <capnp/serialize.h>

#include "federation/common/bytes.h"
#include "federation/common/capnp_read.h"
#include "federation/common/result.h"
#include "federation/feed/update.h"
#include "node/catalog/kinds.h"
#include "schemas/catalog.capnp.h"

namespace eichub::catalog {

struct Change {
  feed::Op op = feed::Op::UPSERT;
  catalog::Kind kind = catalog::Kind::SKILL;
  std::string id;
  std::vector<std::string> tags;  // derived from the record: sector:, region:, skill:
  Bytes body;                     // canonical Record bytes; empty for a delete or an erase
};

// Builds an upsert Change from a record: validates it (id present, texts valid UTF-8 and within
// limits, lists within limits), derives kind, id and tags, and encodes the canonical body.
// Errors: InvalidArgument naming the field at fault.
Result<Change> changeFromRecord(schema::Record::Reader record);

// A delete of (kind, id).
Change deleteChange(catalog::Kind kind, std::string id);
// An erase of (kind, id): the publisher names the versions whose bodies it drops.
Change eraseChange(catalog::Kind kind, std::string id);

// Limits on one record. Each has a reason; tests send limit+1.
inline constexpr size_t kMaxTextBytes = 64 * 1024;  // a course description, not a book
inline constexpr size_t kMaxListEntries = 4096;     // an occupation lists ~100 skills
inline constexpr int kRecordNestingLimit = 8;       // Record -> kind -> List -> struct -> Text
// Times checkBody reads a record whole (isCanonical, the field checks, id and tags, the canonical
// copy): the traversal limit covers that many reads of the largest body, so that a record the
// publisher accepts is never refused by a receiver's reader (traversal counts every read).
inline constexpr size_t kRecordReadPasses = 8;

// A record read from its canonical bytes (store, peer, file) with explicit reader limits. Owns
// an aligned copy of the bytes, so the Reader stays valid for the object's lifetime. Traversal of a
// body that did not pass checkBody() may still throw kj::Exception: only hand checked bodies here.
class RecordReader {
 public:
  // Errors: InvalidArgument when the bytes are not a Cap'n Proto message within the limits.
  static Result<std::unique_ptr<RecordReader>> open(ByteView body);
  schema::Record::Reader root() const { return root_; }
  // True when the bytes are the canonical encoding (traverses the whole message; may throw
  // kj::Exception on a malformed one).
  bool isCanonical() { return message_->isCanonical(); }

 private:
  struct Token {};  // keeps construction inside open()

 public:
  explicit RecordReader(Token) {}

 private:
  std::unique_ptr<SegmentMessage> message_;
  schema::Record::Reader root_;
};

// Reading a record's fields follows pointers that Cap'n Proto checks lazily, and it reports a bad
// one by throwing kj::Exception. These are where that stops, for every reader outside this
// library: read runs over the record, and an exception it raises comes back as InvalidArgument
// ("malformed record: ..."); a Status read returns comes back as it is. The first opens body.
using RecordRead = std::function<Status(schema::Record::Reader)>;
Status readRecord(ByteView body, const RecordRead& read);
Status readRecord(schema::Record::Reader record, const RecordRead& read);

// Fully validates a body that came from outside (a peer or a feed file): canonical encoding,
// every limit of changeFromRecord. Returns the Change it describes, whose kind, id and tags
// the caller compares with the header. Errors: InvalidArgument.
Result<Change> checkBody(ByteView body);

// Checks that an update received from outside carries a valid record that agrees with its
// header: kind, id and tags as the body defines them. An update without a body (delete, or a
// body not fetched) passes. Errors: InvalidArgument.
Status checkUpdateBody(const feed::VerifiedUpdate& update);

// The feed kind of a record.
catalog::Kind kindOf(schema::Record::Reader record);

}  // namespace eichub::catalog
