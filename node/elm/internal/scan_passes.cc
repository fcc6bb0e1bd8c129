// scanPasses: scanRecords visits each kind's records in key order, so a pass ends where the
// kind changes or the key stops increasing.
#include "node/elm/internal/scan_passes.h"

#include <optional>

namespace eichub::elm::internal {

Status scanPasses(const store::CatalogStore& store, const std::vector<catalog::Kind>& kinds,
                  const PassBegin& begin, const PassVisit& visit) {
  std::optional<size_t> current;
  std::optional<store::RecordKey> last;  // the last key of the current pass
  auto enter = [&](size_t pass) {
    current = pass;
    last.reset();
    return begin(pass);
  };
  auto visitor = [&](const store::RecordKey& key, ByteView body) -> Status {
    bool same_pass = current && kinds[*current] == key.kind && last && *last < key;
    if (!same_pass) {
      size_t pass = current ? *current + 1 : 0;
      while (pass < kinds.size() && kinds[pass] != key.kind) {
        EICHUB_RETURN_IF_ERROR(enter(pass));
        ++pass;
      }
      if (pass == kinds.size()) return Status::Corruption("records out of order in a scan");
      EICHUB_RETURN_IF_ERROR(enter(pass));
    }
    last = key;
    return visit(*current, key, body);
  };
  auto scanned = store.queries().scanRecords(kinds, visitor);
  if (!scanned.ok()) return scanned.status();
  for (size_t pass = current ? *current + 1 : 0; pass < kinds.size(); ++pass) {
    EICHUB_RETURN_IF_ERROR(enter(pass));
  }
  return Status::OK();
}

}  // namespace eichub::elm::internal
