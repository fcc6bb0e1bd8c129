// Record validation (every text and list within its limits), id and tags (from the kind's registry
// entry) and canonical encoding of catalogue changes.
#include "node/catalog/change.h"

#include <algorithm>
#include <string>

#include <kj/exception.h>

#include "federation/common/capnp_read.h"
#include "federation/trust/trust_record.h"
#include "node/catalog/record_values.h"

namespace eichub::catalog {

using schema::Record;

catalog::Kind kindOf(Record::Reader record) {
  const KindInfo* info = kindInfo(record);
  return info != nullptr ? info->kind : catalog::Kind::TRUST;  // checkBody refuses unknown ones
}

namespace {

// Everything changeFromRecord derives but the body's bytes: checkBody already holds them.
Result<Change> describeRecord(Record::Reader record) {
  Change change;
  try {
    const KindInfo* info = kindInfo(record);
    if (info == nullptr) return Status::InvalidArgument("unknown record kind");
    EICHUB_RETURN_IF_ERROR(checkRecordValues(record));
    change.kind = info->kind;
    info->identify(record, change.id, change.tags);
    std::sort(change.tags.begin(), change.tags.end());
    change.tags.erase(std::unique(change.tags.begin(), change.tags.end()), change.tags.end());
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed record", e.getDescription().cStr());
  }
  if (change.id.empty()) return Status::InvalidArgument("record has no id");
  if (change.id.size() > feed::kMaxIdBytes) {
    return Status::InvalidArgument("id is longer than " + std::to_string(feed::kMaxIdBytes) +
                                   " bytes");
  }
  if (change.tags.size() > feed::kMaxTags) {
    return Status::InvalidArgument("record has more than " + std::to_string(feed::kMaxTags) +
                                   " sectors, regions and skills");
  }
  for (const std::string& tag : change.tags) {
    if (tag.size() > feed::kMaxTagBytes) return Status::InvalidArgument("tag too long: " + tag);
  }
  return change;
}

Status checkBodySize(const Change& change) {
  if (change.body.size() > feed::kMaxBodyBytes) {
    return Status::InvalidArgument("record is larger than " + std::to_string(feed::kMaxBodyBytes) +
                                   " bytes");
  }
  return Status::OK();
}

}  // namespace

Result<Change> changeFromRecord(Record::Reader record) {
  EICHUB_ASSIGN_OR_RETURN(Change change, describeRecord(record));
  try {
    change.body = canonicalBytes(record);
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed record", e.getDescription().cStr());
  }
  EICHUB_RETURN_IF_ERROR(checkBodySize(change));
  return change;
}

Change deleteChange(catalog::Kind kind, std::string id) {
  Change change;
  change.op = feed::Op::DELETE;
  change.kind = kind;
  change.id = std::move(id);
  return change;
}

Change eraseChange(catalog::Kind kind, std::string id) {
  Change change = deleteChange(kind, std::move(id));
  change.op = feed::Op::ERASE;
  return change;
}

Result<std::unique_ptr<RecordReader>> RecordReader::open(ByteView body) {
  if (body.size() > feed::kMaxBodyBytes) return Status::InvalidArgument("record too large");
  auto out = std::make_unique<RecordReader>(Token{});
  EICHUB_ASSIGN_OR_RETURN(
      out->message_,
      SegmentMessage::open(
          body, readerOptions(kRecordReadPasses * feed::kMaxBodyBytes, kRecordNestingLimit)));
  try {
    out->root_ = out->message_->reader().getRoot<Record>();
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed record", e.getDescription().cStr());
  }
  return out;
}

Status readRecord(schema::Record::Reader record, const RecordRead& read) {
  try {
    return read(record);
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed record", e.getDescription().cStr());
  }
}

Status readRecord(ByteView body, const RecordRead& read) {
  EICHUB_ASSIGN_OR_RETURN(auto reader, RecordReader::open(body));
  return readRecord(reader->root(), read);
}

namespace {

// checkBody without the copy of the body into the Change (left empty). RecordReader::open
// refuses a body over the size limit.
Result<Change> checkBodyDescription(ByteView body) {
  EICHUB_ASSIGN_OR_RETURN(auto reader, RecordReader::open(body));
  try {
    if (!reader->isCanonical()) return Status::InvalidArgument("record is not canonical");
  } catch (const kj::Exception& e) {
    return Status::InvalidArgument("malformed record", e.getDescription().cStr());
  }
  return describeRecord(reader->root());
}

}  // namespace

Result<Change> checkBody(ByteView body) {
  EICHUB_ASSIGN_OR_RETURN(Change change, checkBodyDescription(body));
  // A canonical encoding is the record's only one: the body is kept as it came, not encoded
  // again (which cost a receiver about a fifth of its check).
  change.body.assign(body.begin(), body.end());
  return change;
}

Status checkUpdateBody(const feed::VerifiedUpdate& update) {
  const feed::HeaderFields& header = update.fields;
  // Trust bodies are bare TrustRecord messages, judged by the federation's own rules.
  if (header.kind == feed::kTrustKind) return trust::checkTrustUpdate(update);
  // A kind added after this node was built: refused, so the feed stops there on this node until
  // it is upgraded (its records are neither indexed nor relayed half-understood).
  std::optional<Kind> kind = kindFromCode(header.kind);
  if (!kind) return Status::InvalidArgument("unknown kind " + std::to_string(header.kind));
  if (update.signed_update.body.empty()) return Status::OK();
  EICHUB_ASSIGN_OR_RETURN(Change change, checkBodyDescription(update.signed_update.body));
  if (change.kind != *kind || change.id != header.id) {
    return Status::InvalidArgument("body is not the record the header names");
  }
  if (change.tags != header.tags) return Status::InvalidArgument("header tags disagree with body");
  return Status::OK();
}

}  // namespace eichub::catalog
