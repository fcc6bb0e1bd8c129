// Fuzz target: the body of a trust record (federation/trust/trust_record), as a node decodes it
// from any peer before judging who may write what. Properties: a body that decodes is the
// canonical encoding of what it holds (one record, one byte string, so one header id), and
// every decoded record names its header id.
#include "federation/trust/trust_record.h"

#include <cstddef>
#include <cstdint>

#include "federation/common/check.h"

using namespace eichub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView body(data, size);
  auto record = trust::decodeRecord(body);
  if (!record.ok()) return 0;
  const Bytes again = trust::encodeRecord(*record);
  EICHUB_CHECK(again.size() == size && std::equal(again.begin(), again.end(), data))
      << "a decoded trust record re-encodes to other bytes";
  EICHUB_CHECK(!trust::recordId(*record).empty());
  return 0;
}
