// Kind numbers for the federation's own tests. To the federation a kind is an opaque number but
// for trust's (feed::kTrustKind); these name a few numbers, the node's own for readability
// (node/catalog/kinds.h), though any would do.
#pragma once

#include "federation/feed/update.h"

namespace eichub::testing {

inline constexpr feed::KindCode kSkillKind = 0;
inline constexpr feed::KindCode kLearningResourceKind = 4;
inline constexpr feed::KindCode kProviderKind = 5;
inline constexpr feed::KindCode kSkillNeedKind = 7;

}  // namespace eichub::testing
