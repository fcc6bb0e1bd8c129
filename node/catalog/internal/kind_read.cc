// The JSON readers' shared label fields.
#include "node/catalog/internal/kind_read.h"

namespace eichub::catalog::internal {

Labels readLabels(ObjectReader& r) {
  Labels l;
  l.pref = r.langTexts("prefLabel", kLabelRule, true);
  l.alt = r.langLists("altLabels", kLabelRule);
  l.description = r.langTexts("description", kTextRule);
  l.broader = r.strings("broader", kRefRule);
  return l;
}

}  // namespace eichub::catalog::internal
