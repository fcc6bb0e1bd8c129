// Fuzz target: a feed export file (federation/feed/feed_file), as `eichub feed verify` and
// `eichub feed import` read it: magic, info message, then framed updates, every signature and
// link checked. Properties: the report agrees with what was returned, and names the first bad
// entry right after the last good one.
#include "federation/feed/feed_file.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "federation/common/check.h"
#include "tests/fuzz/fuzz_input.h"

using namespace eichub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::MemFile file(fuzz::asText(data, size));
  std::vector<feed::VerifiedUpdate> updates;
  const feed::FeedFileReport report = feed::verifyFeedFile(file.path(), &updates);

  EICHUB_CHECK(report.count == updates.size());
  if (!report.error.ok() && report.bad_index != 0) {
    EICHUB_CHECK(report.bad_index == report.count + 1)
        << "bad entry " << report.bad_index << " after " << report.count << " good ones";
  }
  for (size_t i = 0; i < updates.size(); ++i) {
    EICHUB_CHECK(updates[i].fields.author == report.author);
    EICHUB_CHECK(updates[i].fields.network == report.network);
    EICHUB_CHECK(updates[i].signature_checked);
    if (i > 0) {
      EICHUB_CHECK(updates[i].fields.seq == updates[i - 1].fields.seq + 1);
    }
  }
  if (!updates.empty()) {
    EICHUB_CHECK(report.first_seq == updates.front().fields.seq);
    EICHUB_CHECK(report.head.seq == updates.back().fields.seq);
    EICHUB_CHECK(report.head.hash == updates.back().hash);
  }
  return 0;
}
