// verifyStore and dropBadBody: a store checked against its own signatures, and
// the repair of a body altered on disk.
#include "node/store/verify.h"

#include "federation/crypto/ed25519_key.h"
#include "federation/crypto/sha256.h"
#include "federation/feed/verify.h"
#include "node/store/internal/header_table.h"
#include "node/store/internal/keys.h"
#include "node/store/internal/store_impl.h"

namespace eichub::store {
namespace {

// Updates read per read transaction: bounds what one walk step holds in memory.
constexpr size_t kVerifyChunkUpdates = 4096;

// Checks author's feed 1..head.seq into report.
Status verifyFeed(const CatalogStore& store, const FeedInfo& info, VerifyReport& report) {
  auto problem = [&](uint64_t seq, Problem what) {
    report.problems.push_back({info.author, seq, what});
  };
  feed::Head prev;            // the last header held, as a chain head
  bool prev_altered = false;  // its signature failed: the link after it is not judged
  uint64_t next_seq = 1;
  while (next_seq <= info.head.seq) {
    auto chunk =
        store.queries().readFeed(info.author, next_seq, info.head.seq, kVerifyChunkUpdates);
    if (!chunk.ok() && chunk.status().code() == Status::Code::kCorruption) {
      // A stored value whose lengths do not add up: read one at a time to name it.
      chunk = store.queries().readFeed(info.author, next_seq, next_seq, 1);
      if (!chunk.ok() && chunk.status().code() == Status::Code::kCorruption) {
        ++report.headers;
        problem(next_seq, Problem::kHeaderUnreadable);
        prev = feed::Head{next_seq, Hash32{}, prev.time_ms};
        prev_altered = true;
        ++next_seq;
        continue;
      }
    }
    if (!chunk.ok()) return chunk.status();
    if (chunk->empty()) break;
    for (const feed::SignedUpdate& update : *chunk) {
      const uint64_t seq = next_seq++;
      ++report.headers;
      auto fields = feed::decodeHeader(update.header);
      const Hash32 hash = feed::signedHeaderHash(update.header, update.signature);
      if (!fields.ok() || fields->author != info.author || fields->seq != seq) {
        problem(seq, Problem::kHeaderUnreadable);
        prev = feed::Head{seq, hash, prev.time_ms};
        prev_altered = true;
        continue;
      }
      const bool altered =
          !crypto::verifySignature(info.author, update.header, update.signature).ok();
      if (altered) {
        problem(seq, Problem::kBadSignature);
      } else if (!prev_altered && !feed::checkLink(prev, *fields).ok()) {
        problem(seq, Problem::kBrokenChain);
      }
      if (!altered && !update.body.empty()) {
        ++report.bodies;
        if (!bodyMatches(*fields, update.body)) problem(seq, Problem::kBadBody);
      }
      prev = feed::Head{seq, hash, fields->time_ms};
      prev_altered = altered;
    }
  }
  if (next_seq != info.head.seq + 1 || (!prev_altered && prev.hash != info.head.hash)) {
    problem(info.head.seq, Problem::kHeadMismatch);
  }
  return Status::OK();
}

}  // namespace

std::string_view problemName(Problem problem) {
  switch (problem) {
    case Problem::kHeaderUnreadable:
      return "header_unreadable";
    case Problem::kBadSignature:
      return "bad_signature";
    case Problem::kBrokenChain:
      return "broken_chain";
    case Problem::kBadBody:
      return "bad_body";
    case Problem::kHeadMismatch:
      return "head_mismatch";
  }
  return "unknown";
}

bool bodyMatches(const feed::HeaderFields& header, ByteView body) {
  if (body.empty()) return true;
  return header.hasBody() && body.size() == header.body_size &&
         crypto::sha256(body) == header.body_hash;
}

Result<VerifyReport> verifyStore(const CatalogStore& store) {
  VerifyReport report;
  EICHUB_ASSIGN_OR_RETURN(std::vector<FeedInfo> feeds, store.queries().feeds());
  for (const FeedInfo& info : feeds) {
    ++report.feeds;
    EICHUB_RETURN_IF_ERROR(verifyFeed(store, info, report));
  }
  return report;
}

Result<bool> dropBadBody(CatalogStore& store, const PublicKey& author, uint64_t seq) {
  bool dropped = false;
  Status status = store.impl_->write([&](WriteTxn& txn) -> Status {
    dropped = false;
    EICHUB_ASSIGN_OR_RETURN(ByteView raw, internal::getHeaderValue(txn, author, seq));
    EICHUB_ASSIGN_OR_RETURN(internal::HeaderValue held, internal::decodeHeaderValue(raw));
    auto fields = feed::decodeHeader(held.header);
    if (!fields.ok()) return Status::Corruption("stored header does not decode");
    Bytes scratch;
    auto body = held.plainBody(scratch);
    if (body.ok() && bodyMatches(*fields, *body)) return Status::OK();  // else damaged: drop
    Bytes value;
    internal::encodeHeaderValue(held.header, held.signature, internal::StoredBody{}, value);
    EICHUB_RETURN_IF_ERROR(internal::replaceHeaderValue(txn, author, seq, value));
    dropped = true;
    return Status::OK();
  });
  if (!status.ok()) return status;
  return dropped;
}

}  // namespace eichub::store
