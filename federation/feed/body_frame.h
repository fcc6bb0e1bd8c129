// A body as one zstd frame. Nodes store bodies compressed (node/store/internal/body_codec.h), and
// a sync server may send a body as the frame it stores (Updates.bodyFrames) to a client whose
// hello says it reads them: the receiver decompresses it to hash and check the body as signed,
// and may store the frame as it came instead of compressing the body again. Hashes and signatures
// only ever cover the decompressed bytes.
#pragma once

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub::feed {

// The size a frame names for its content. Errors: InvalidArgument when frame is not exactly one
// zstd frame that names its content size, or names more than max_size.
Result<size_t> frameContentSize(ByteView frame, size_t max_size);

// Decompresses frame into out (its previous content dropped), at most max_size bytes: checked
// with frameContentSize before anything is allocated. Thread-safe (a decompression context per
// thread). Errors: InvalidArgument as frameContentSize, or when the frame does not decompress to
// exactly the size it names.
Status decompressFrame(ByteView frame, size_t max_size, Bytes& out);

}  // namespace eichub::feed
