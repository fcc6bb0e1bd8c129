// Figures: each fault test prints one JSON line of what it injected and measured
// (docs/reliability.md "How the figures are made"), to stdout and, when EICHUB_FIGURES names a
// file, appended to it; the figures of docs/reliability.md come from those lines.
#pragma once

#include <cstdint>
#include <random>

#include <nlohmann/json.hpp>

namespace eichub::testing {

void reportFigures(const nlohmann::json& figures);

// The seed of a test's random fault schedule: EICHUB_FAULT_SEED when set (to replay a run),
// otherwise fresh. Tests report it with their figures.
uint64_t faultSeed();

// An integer from the environment variable name, or fallback when unset or unparsable (long
// runs raise the counts; CI keeps the defaults).
int64_t envInt(const char* name, int64_t fallback);

}  // namespace eichub::testing
