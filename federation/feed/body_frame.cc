// frameContentSize and decompressFrame over libzstd's one-shot calls.
#include "federation/feed/body_frame.h"

#include <memory>
#include <string>

#include <zstd.h>

#include "federation/common/check.h"

namespace eichub::feed {

namespace {

struct DCtxDeleter {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// One decompression context per thread: ZSTD_decompress would make (and free) one per call,
// about 100 KiB each.
ZSTD_DCtx* threadDecompressor() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> context(ZSTD_createDCtx());
  EICHUB_CHECK(context != nullptr) << "out of memory for a zstd context";
  return context.get();
}

}  // namespace

Result<size_t> frameContentSize(ByteView frame, size_t max_size) {
  // Exactly one frame: trailing bytes or a second frame would decompress to more than is named.
  const size_t frame_bytes = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  if (ZSTD_isError(frame_bytes) || frame_bytes != frame.size()) {
    return Status::InvalidArgument("body frame is not one zstd frame");
  }
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR) {
    return Status::InvalidArgument("body frame does not name its size");
  }
  if (size > max_size) {
    return Status::InvalidArgument("body frame names more than the limit of " +
                                   std::to_string(max_size) + " bytes");
  }
  return static_cast<size_t>(size);
}

Status decompressFrame(ByteView frame, size_t max_size, Bytes& out) {
  EICHUB_ASSIGN_OR_RETURN(size_t size, frameContentSize(frame, max_size));
  out.resize(size);
  const size_t written =
      ZSTD_decompressDCtx(threadDecompressor(), out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(written) || written != size) {
    out.clear();
    return Status::InvalidArgument("body frame does not decompress",
                                   ZSTD_isError(written) ? ZSTD_getErrorName(written) : "short");
  }
  return Status::OK();
}

}  // namespace eichub::feed
