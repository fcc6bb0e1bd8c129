// FeedAppender: signs the next updates of one feed.
#include "federation/feed/appender.h"

#include <algorithm>

#include "federation/crypto/sha256.h"
#include "federation/feed/verify.h"

namespace eichub::feed {

FeedAppender::FeedAppender(const crypto::SigningKey& key, std::string network, Head head)
    : key_(key), network_(std::move(network)), head_(head) {}

VerifiedUpdate FeedAppender::append(Op op, Kind kind, std::string id, std::vector<std::string> tags,
                                    Bytes body, int64_t time_ms, std::vector<uint64_t> erases) {
  HeaderFields f;
  f.op = op;
  f.kind = kind;
  f.id = std::move(id);
  f.tags = std::move(tags);
  f.erases = std::move(erases);
  if (op == Op::UPSERT) {
    f.body_hash = crypto::sha256(body);
    f.body_size = static_cast<uint32_t>(body.size());
  }
  return append(std::move(f), std::move(body), time_ms);
}

VerifiedUpdate FeedAppender::append(HeaderFields fields, Bytes body, int64_t time_ms) {
  VerifiedUpdate out;
  out.fields = std::move(fields);
  HeaderFields& f = out.fields;
  f.network = network_;
  f.author = key_.publicKey();
  f.seq = head_.seq + 1;
  f.prev = head_.hash;
  f.time_ms = std::max(time_ms, head_.time_ms);
  out.signed_update.header = encodeHeader(f);
  out.signed_update.signature = key_.sign(out.signed_update.header);
  out.signed_update.body = std::move(body);
  out.hash = signedHeaderHash(out.signed_update.header, out.signed_update.signature);
  head_ = headAfter(out);
  return out;
}

}  // namespace eichub::feed
