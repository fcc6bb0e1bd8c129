// BodyCompressor over libzstd's one-shot call with a reused context; decoding through
// feed::decompressFrame.
#include "node/store/internal/body_codec.h"

#include <zstd.h>

#include "federation/common/check.h"
#include "federation/feed/body_frame.h"
#include "federation/feed/update.h"

namespace eichub::store::internal {
struct CCtxDeleter {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};

struct BodyCompressor::Context {
  std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx{ZSTD_createCCtx()};
};

BodyCompressor::BodyCompressor() : context_(std::make_unique<Context>()) {
  EICHUB_CHECK(context_->cctx != nullptr) << "out of memory for a zstd context";
}
BodyCompressor::~BodyCompressor() = default;

StoredBody BodyCompressor::compress(ByteView body) {
  if (body.size() < kMinCompressedBodyBytes) return StoredBody{BodyCodec::kRaw, body};
  buffer_.resize(ZSTD_compressBound(body.size()));
  const size_t written = ZSTD_compressCCtx(
      context_->cctx.get(), buffer_.data(), buffer_.size(), body.data(), body.size(),
      body.size() < kSmallBodyBytes ? kSmallBodyCompressionLevel : kBodyCompressionLevel);
  // A bound-sized buffer cannot be too small, so an error here is zstd's own failure: keeping
  // the body raw is always correct.
  if (ZSTD_isError(written) || written >= body.size()) return StoredBody{BodyCodec::kRaw, body};
  return StoredBody{BodyCodec::kZstd, ByteView(buffer_.data(), written)};
}

Status decodeStoredBodyInto(const StoredBody& stored, Bytes& out) {
  switch (stored.codec) {
    case BodyCodec::kRaw:
      out.assign(stored.bytes.begin(), stored.bytes.end());
      return Status::OK();
    case BodyCodec::kZstd:
      break;
    default:
      return Status::Corruption("stored body has an unknown codec",
                                std::to_string(static_cast<int>(stored.codec)));
  }
  if (Status s = feed::decompressFrame(stored.bytes, feed::kMaxBodyBytes, out); !s.ok()) {
    return Status::Corruption("stored body: " + s.message());
  }
  return Status::OK();
}

Result<ByteView> decodeStoredBody(const StoredBody& stored, Bytes& scratch) {
  if (stored.codec == BodyCodec::kRaw) return stored.bytes;
  EICHUB_RETURN_IF_ERROR(decodeStoredBodyInto(stored, scratch));
  return ByteView(scratch.data(), scratch.size());
}

}  // namespace eichub::store::internal
