// The daemon's selective-sync settings: the catalogue Subscription built from config.toml, with
// ESCO skills expanded to their subtrees.
#pragma once

#include <string>
#include <vector>

#include "node/catalog/subscription.h"
#include "node/config/options.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

// The subscription of options' [subscribe] section. Each skill uri stands for itself and every
// skill or skill group below it in the store's hierarchy (their `broader` links), so the store
// should hold Skill and SkillGroup bodies for the subtree to be known. Errors: InvalidArgument
// for an unknown kind (config validation makes that unreachable), the store's.
Result<catalog::Subscription> subscriptionOf(const config::Options& options,
                                             const store::CatalogStore& store);

}  // namespace eichub::daemon
