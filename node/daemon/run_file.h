// RunFile: <home>/daemon.json (daemon.h runFilePath), which tells the CLI and tests that the
// daemon listens and where: its pid and start time, the bound peer and HTTP endpoints, the
// control endpoint and the notify signal. Written once start-up is complete, removed on a clean
// shutdown.
#pragma once

#include <string>

namespace eichub::daemon {

// Writes the run file of home_dir through a temporary file and a rename, so that a reader
// never sees half of it.
void writeRunFile(const std::string& home_dir, const std::string& endpoint,
                  const std::string& http_address);
void removeRunFile(const std::string& home_dir);

}  // namespace eichub::daemon
