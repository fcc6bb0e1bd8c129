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
  VerifiedUpdate out = appendUnsigned(op, kind, std::move(id), std::move(tags), std::move(body),
                                      time_ms, std::move(erases));
  out.signed_update.signature = key_.sign(out.signed_update.header);
  return out;
}

VerifiedUpdate FeedAppender::appendUnsigned(Op op, Kind kind, std::string id,
                                            std::vector<std::string> tags, Bytes body,
                                            int64_t time_ms, std::vector<uint64_t> erases) {
  VerifiedUpdate out;
  HeaderFields& f = out.fields;
  f.network = network_;
  f.author = key_.publicKey();
  f.seq = head_.seq + 1;
  f.prev = head_.hash;
  f.time_ms = std::max(time_ms, head_.time_ms);
  f.op = op;
  f.kind = kind;
  f.id = std::move(id);
  f.tags = std::move(tags);
  f.erases = std::move(erases);
  if (op == Op::UPSERT) {
    f.body_hash = crypto::sha256(body);
    f.body_size = static_cast<uint32_t>(body.size());
  }
  out.signed_update.header = encodeHeader(f);
  out.signed_update.body = std::move(body);
  out.hash = crypto::sha256(out.signed_update.header);
  head_ = headAfter(out);
  return out;
}

void signUpdates(const crypto::SigningKey& key, std::vector<VerifiedUpdate>& updates) {
  for (VerifiedUpdate& update : updates) {
    update.signed_update.signature = key.sign(update.signed_update.header);
  }
}

}  // namespace eichub::feed
