// Logging: spdlog behind a thin layer, configured once in main, to stderr. One event per line
// with key=value fields; never keys, tokens or payloads.
#pragma once

#include <string>

#include <spdlog/spdlog.h>

namespace eichub::log {

// Sends log lines to stderr at level ("trace" ... "error"; unknown names mean info). Call once.
void configure(const std::string& level);
// Changes the level from now on (a reload). Thread-safe.
void setLevel(const std::string& level);

template <typename... Args>
void info(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::info(format, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::warn(format, std::forward<Args>(args)...);
}
template <typename... Args>
void error(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::error(format, std::forward<Args>(args)...);
}
template <typename... Args>
void debug(spdlog::format_string_t<Args...> format, Args&&... args) {
  spdlog::debug(format, std::forward<Args>(args)...);
}

}  // namespace eichub::log
