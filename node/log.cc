// Logging setup: stderr, one line per event.
#include "node/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace eichub::log {

void configure(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("eichub");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

void setLevel(const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); }

}  // namespace eichub::log
