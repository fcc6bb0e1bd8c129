// Fuzz target: a JSON Lines catalogue file (node/catalog/jsonl_reader) as `eichub publish`
// reads it, in strict and in skip-bad mode, down to the canonical record bodies.
// Properties: every line is counted once (a change, a duplicate or a skipped line); strict and
// skip-bad agree on a good file; every change's body passes the peer-side body check with the
// same kind, id and tags; and the JSON form of a body turns back into the same body.
#include <cstddef>
#include <cstdint>

#include "federation/common/check.h"
#include "node/catalog/jsonl_reader.h"
#include "tests/fuzz/change_checks.h"
#include "tests/fuzz/fuzz_input.h"

using namespace eichub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::MemFile file(fuzz::asText(data, size));
  catalog::LoadOptions options;
  options.mode = catalog::ErrorMode::kSkipBad;
  auto lenient = catalog::readJsonLines(file.path(), options);
  EICHUB_CHECK(lenient.ok()) << "skip-bad mode failed: " << lenient.status().toString();
  EICHUB_CHECK(lenient->read == lenient->changes.size() + lenient->duplicates + lenient->skipped);
  for (const catalog::Change& change : lenient->changes) fuzz::checkChange(change);

  auto strict = catalog::readJsonLines(file.path());
  if (strict.ok()) {
    EICHUB_CHECK(lenient->skipped == 0);
    EICHUB_CHECK(strict->changes.size() == lenient->changes.size());
  } else {
    EICHUB_CHECK(lenient->skipped > 0)
        << "strict refused a file skip-bad took whole: " << strict.status().toString();
  }
  return 0;
}
