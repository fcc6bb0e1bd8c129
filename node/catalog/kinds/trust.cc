// Trust: the bodies of trust updates are trust.capnp records, judged by federation/trust; the
// node only names the kind (in counts, change feeds and views) and lets the CLI type it.
#include <array>

#include "node/catalog/internal/kind_entries.h"

namespace eichub::catalog::internal {
namespace {

using namespace std::string_view_literals;

constexpr std::array kTrustAliases = {"trust"sv};

}  // namespace

const KindInfo& trustKind() {
  static constexpr KindInfo kInfo{
      .kind = Kind::TRUST, .name = kTrustKindName, .aliases = kTrustAliases};
  return kInfo;
}

}  // namespace eichub::catalog::internal
