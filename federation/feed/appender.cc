// FeedPreparer and FeedAppender: encode the next updates of one feed, then chain and sign them.
#include "federation/feed/appender.h"

#include <algorithm>

#include "federation/common/check.h"
#include "federation/crypto/sha256.h"
#include "federation/feed/verify.h"

namespace eichub::feed {

FeedPreparer::FeedPreparer(const PublicKey& author, std::string network, const Head& head)
    : author_(author),
      network_(std::move(network)),
      last_seq_(head.seq),
      last_time_ms_(head.time_ms) {}

PreparedUpdate FeedPreparer::prepare(HeaderFields fields, Bytes body, int64_t time_ms) {
  PreparedUpdate out;
  out.fields = std::move(fields);
  HeaderFields& f = out.fields;
  f.network = network_;
  f.author = author_;
  f.seq = ++last_seq_;
  f.prev = Hash32{};
  f.time_ms = last_time_ms_ = std::max(time_ms, last_time_ms_);
  out.header = encodeUnchainedHeader(f);
  out.body = std::move(body);
  return out;
}

FeedAppender::FeedAppender(const crypto::SigningKey& key, std::string network, Head head)
    : key_(key), network_(std::move(network)), head_(head) {}

VerifiedUpdate FeedAppender::append(Op op, KindCode kind, std::string id,
                                    std::vector<std::string> tags, Bytes body, int64_t time_ms,
                                    std::vector<uint64_t> erases) {
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
  FeedPreparer preparer(key_.publicKey(), network_, head_);
  return append(preparer.prepare(std::move(fields), std::move(body), time_ms));
}

VerifiedUpdate FeedAppender::append(PreparedUpdate prepared) {
  HeaderFields& f = prepared.fields;
  EICHUB_CHECK(f.seq == head_.seq + 1 && f.time_ms >= head_.time_ms &&
               f.author == key_.publicKey() && f.network == network_)
      << "a prepared update that does not follow this feed's head: seq " << f.seq << " after "
      << head_.seq;
  f.prev = head_.hash;
  chainHeader(prepared.header, f.prev);
  VerifiedUpdate out;
  out.signed_update.signature = key_.sign(prepared.header.bytes);
  out.hash = signedHeaderHash(prepared.header.bytes, out.signed_update.signature);
  out.fields = std::move(f);
  out.signed_update.header = std::move(prepared.header.bytes);
  out.signed_update.body = std::move(prepared.body);
  head_ = headAfter(out);
  return out;
}

}  // namespace eichub::feed
