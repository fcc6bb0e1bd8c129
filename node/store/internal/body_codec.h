// How the store keeps a record body beside its header: as signed, or compressed with zstd.
//
// Bodies are most of a store's bytes (docs/architecture.md "Store tables"; docs/benchmarks.md
// "Disk"): catalogue records are text, and ESCO's skill URIs and labels repeat from record to
// record and within one. A body is compressed on its own (no shared dictionary), so that any one of
// them reads back without its neighbours, and kept raw when compression would not make it smaller.
// Only the store sees the compressed form: the wire, feed files, hashes and signatures use the
// body's signed bytes.
#pragma once

#include <cstdint>
#include <memory>

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub::store::internal {

// Stored in the headers value (keys.h); never reused for another meaning.
enum class BodyCodec : uint8_t {
  kRaw = 0,   // the body's signed bytes (also an absent body, with no bytes)
  kZstd = 1,  // one zstd frame that names its content size
};

// A body as the headers table holds it. The bytes are borrowed.
struct StoredBody {
  BodyCodec codec = BodyCodec::kRaw;
  ByteView bytes;
};

// Bodies shorter than this are kept raw: a zstd frame's own bytes (about 10) and the CPU are not
// worth it for a tombstone-sized record.
inline constexpr size_t kMinCompressedBodyBytes = 128;
// zstd level 1, the fastest standard level: on ESCO's 18,163 bodies it gave 2.41 x, level 3 the
// same and level 6 2.5% more for 1.65 x the CPU (docs/benchmarks.md "Disk").
inline constexpr int kBodyCompressionLevel = 1;
// Bodies shorter than this are compressed at level -1, which keeps the literals raw (matches
// only): a Huffman table for a body this small cost more than the bytes it saved, about 4 us to
// build when compressing and 2 us to read back, on every body synced, read or served, for 14%
// of its compressed size (1.1 KB catch-up updates: 3.06 x at level 1, 2.63 x at -1; ESCO's
// bodies 2.41 x, 2.27 x with this bound; docs/benchmarks.md "Bodies under 1 KiB").
inline constexpr size_t kSmallBodyBytes = 1024;
inline constexpr int kSmallBodyCompressionLevel = -1;

// Compresses bodies for the write path. Owns a zstd compression context and the output buffer,
// both reused from body to body. Not thread-safe: one per writing thread.
class BodyCompressor {
 public:
  BodyCompressor();
  ~BodyCompressor();
  BodyCompressor(const BodyCompressor&) = delete;
  BodyCompressor& operator=(const BodyCompressor&) = delete;

  // The stored form of body: borrowed from body when raw, else from this compressor's buffer,
  // valid until the next call. An empty body stays raw and empty.
  StoredBody compress(ByteView body);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
  Bytes buffer_;
};

// The signed bytes of a stored body: stored.bytes itself when raw, else decompressed into
// scratch (whose previous content is dropped). Thread-safe. Errors: Corruption for an unknown
// codec, a frame that does not name its size, names one over feed::kMaxBodyBytes, or does not
// decompress to it.
Result<ByteView> decodeStoredBody(const StoredBody& stored, Bytes& scratch);
// The same, always into out (copied when raw): for a caller that keeps the body.
Status decodeStoredBodyInto(const StoredBody& stored, Bytes& out);

}  // namespace eichub::store::internal
