// Fuzz target: a Europass ELM (LOQ) document as `eichub import elm` reads it (node/elm), in
// strict and in skip-bad mode, down to the canonical record bodies.
// Properties: never a crash, whatever the bytes (libxml2 with no DTD, no network, bounded depth);
// every change passes the peer-side body check with the same kind, id and tags; a document
// strict mode takes whole has nothing skipped, one strict mode refuses but skip-bad takes has
// something skipped, and one skip-bad refuses (not XML, not LOQ, over a bound) strict refuses too.
#include <cstddef>
#include <cstdint>

#include "federation/common/check.h"
#include "node/elm/elm_import.h"
#include "tests/fuzz/change_checks.h"
#include "tests/fuzz/fuzz_input.h"

using namespace eichub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::MemFile file(fuzz::asText(data, size));
  elm::ImportOptions options;
  options.skip_bad = true;
  auto lenient = elm::importElm(file.path(), options);
  auto strict = elm::importElm(file.path(), elm::ImportOptions{});
  if (lenient.ok()) {
    EICHUB_CHECK(lenient->changes.size() == lenient->opportunities + lenient->organisations);
    EICHUB_CHECK(lenient->errors.size() == lenient->skipped);
    for (const catalog::Change& change : lenient->changes) fuzz::checkChange(change);
  }
  if (strict.ok()) {
    EICHUB_CHECK(lenient.ok()) << "skip-bad refused what strict took: "
                               << lenient.status().toString();
    EICHUB_CHECK(lenient->skipped == 0);
    EICHUB_CHECK(strict->changes.size() == lenient->changes.size());
  } else if (lenient.ok()) {
    EICHUB_CHECK(lenient->skipped > 0)
        << "strict refused a document skip-bad took whole: " << strict.status().toString();
  }
  return 0;
}
