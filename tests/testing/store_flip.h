// Test helper for docs/reliability.md case 22: flips one bit of a value stored in a store's data
// file while nothing has the store open, as `dd conv=notrunc` would, at the file offset found by
// reading the value through LMDB (where LMDB's read-only map shows it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "federation/common/bytes.h"
#include "federation/common/result.h"

namespace eichub::testing {

// kValue: the whole stored value (lengths, header, signature, body; node/store/internal/keys.h).
enum class StoredPart { kValue, kHeader, kBody };

// Flips the lowest bit of byte `index` of the part of the value stored at (author, seq) in the
// store in data_dir (the directory holding data.mdb). Returns the file offset written.
// Errors: NotFound (no such entry, or index past the part), IOError.
Result<uint64_t> flipStoredBit(const std::string& data_dir, const PublicKey& author, uint64_t seq,
                               StoredPart part, size_t index);

}  // namespace eichub::testing
