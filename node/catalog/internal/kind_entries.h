// The registry's entries, one function per kind, each defined in node/catalog/kinds/<kind>.cc;
// node/catalog/kinds.cc lists them in its table.
#pragma once

#include "node/catalog/kinds.h"

namespace eichub::catalog::internal {

const KindInfo& skillKind();
const KindInfo& skillGroupKind();
const KindInfo& occupationKind();
const KindInfo& occupationGroupKind();
const KindInfo& learningResourceKind();
const KindInfo& providerKind();
const KindInfo& clusterProfileKind();
const KindInfo& skillNeedKind();
const KindInfo& trustKind();

}  // namespace eichub::catalog::internal
