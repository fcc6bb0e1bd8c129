// RunFile: the JSON document, written whole.
#include "node/daemon/run_file.h"

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "node/daemon/daemon.h"

namespace eichub::daemon {

void writeRunFile(const std::string& home_dir, const std::string& endpoint,
                  const std::string& http_address) {
  nlohmann::json doc = {{"pid", ::getpid()},
                        {"start_time", processStartTime(::getpid())},
                        {"notify_signal", kNotifySignalName},
                        {"endpoint", endpoint},
                        {"http", http_address},
                        {"control", controlEndpoint(home_dir)}};
  std::string path = runFilePath(home_dir);
  std::string tmp = path + ".tmp";
  std::ofstream(tmp) << doc.dump() << "\n";
  std::rename(tmp.c_str(), path.c_str());
}

void removeRunFile(const std::string& home_dir) { std::remove(runFilePath(home_dir).c_str()); }

}  // namespace eichub::daemon
