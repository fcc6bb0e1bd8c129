// What the reactor's parts (node/daemon/reactor.h) share: the wall clock in milliseconds that
// the sync engine and every deadline use, elapsed seconds for the metrics, and a transport key
// shortened for log lines.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace eichub::daemon {

inline double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

inline int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

inline std::string shortKey(const std::string& z85) { return z85.substr(0, 8); }

}  // namespace eichub::daemon
