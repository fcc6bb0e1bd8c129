// Figures: one JSON line per test, to stdout and the EICHUB_FIGURES file.
#include "tests/faults/figures.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace eichub::testing {

void reportFigures(const nlohmann::json& figures) {
  std::string line = figures.dump();
  std::printf("FIGURES %s\n", line.c_str());
  std::fflush(stdout);
  if (const char* path = std::getenv("EICHUB_FIGURES"); path != nullptr && *path != '\0') {
    std::ofstream(path, std::ios::app) << line << "\n";
  }
}

uint64_t faultSeed() {
  int64_t given = envInt("EICHUB_FAULT_SEED", -1);
  return given >= 0 ? static_cast<uint64_t>(given) : std::random_device{}();
}

int64_t envInt(const char* name, int64_t fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  long long value = std::strtoll(text, &end, 10);
  return *end == '\0' ? value : fallback;
}

}  // namespace eichub::testing
