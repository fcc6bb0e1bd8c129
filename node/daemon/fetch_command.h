// The control command that asks the daemon to fetch bodies it holds headers of (`eichub get`
// and `eichub verify --repair` of records held without their body, or with a bad one).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "federation/common/result.h"
#include "federation/wire/messages.h"

namespace eichub::daemon {

// Refs one fetch command names: the control socket takes messages of 4 KiB.
inline constexpr size_t kMaxFetchRefsPerCommand = 32;

// "fetch <author hex> <seq> [<author hex> <seq> ...]", at most kMaxFetchRefsPerCommand refs.
std::string fetchCommand(const std::vector<wire::BodyRef>& refs);
// Errors: InvalidArgument for anything else.
Result<std::vector<wire::BodyRef>> parseFetchCommand(const std::string& command);

}  // namespace eichub::daemon
