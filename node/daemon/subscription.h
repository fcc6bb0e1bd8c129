// The daemon's selective-sync settings: the catalogue Subscription built from config.toml
// (with ESCO skills expanded to their subtrees), and the control command that asks the daemon
// to fetch bodies (`eichub get` of a record held without its body).
#pragma once

#include <string>
#include <vector>

#include "federation/wire/messages.h"
#include "node/catalog/subscription.h"
#include "node/config/options.h"
#include "node/store/catalog_store.h"

namespace eichub::daemon {

// Refs one fetch command names: the control socket takes messages of 4 KiB.
inline constexpr size_t kMaxFetchRefsPerCommand = 32;

// The subscription of options' [subscribe] section. Each skill uri stands for itself and every
// skill or skill group below it in the store's hierarchy (their `broader` links), so the store
// should hold Skill and SkillGroup bodies for the subtree to be known. Errors: InvalidArgument
// for an unknown kind (config validation makes that unreachable), the store's.
Result<catalog::Subscription> subscriptionOf(const config::Options& options,
                                             const store::CatalogStore& store);

// "fetch <author hex> <seq> [<author hex> <seq> ...]", at most kMaxFetchRefsPerCommand refs.
std::string fetchCommand(const std::vector<wire::BodyRef>& refs);
// Errors: InvalidArgument for anything else.
Result<std::vector<wire::BodyRef>> parseFetchCommand(const std::string& command);

}  // namespace eichub::daemon
