// Control channel client: short-lived REQ socket with timeouts.
#include "node/daemon/control.h"

#include <fstream>

#include <nlohmann/json.hpp>
#include <signal.h>
#include <zmq.hpp>

#include "node/daemon/daemon.h"

namespace eichub::daemon {

bool daemonRunning(const std::string& home_dir) {
  std::ifstream in(runFilePath(home_dir));
  if (!in) return false;
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("pid") || !doc["pid"].is_number_integer()) return false;
  return ::kill(doc["pid"].get<int>(), 0) == 0;
}

Status notifyDaemon(const std::string& home_dir, int timeout_ms) {
  std::ifstream in(runFilePath(home_dir));
  if (!in) return Status::Unavailable("no daemon running for " + home_dir);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("pid") || !doc["pid"].is_number_integer()) {
    return Status::Unavailable("no daemon running for " + home_dir);
  }
  if (doc.value("notify_signal", "") != kNotifySignalName || !doc.contains("start_time") ||
      !doc["start_time"].is_number_unsigned()) {
    return askDaemon(home_dir, "notify", timeout_ms).status();  // a daemon before the signal
  }
  const int pid = doc["pid"].get<int>();
  const uint64_t started = doc["start_time"].get<uint64_t>();
  // A pid reused by another process since the daemon died would be killed by SIGUSR1.
  if (started == 0 || processStartTime(pid) != started) {
    return Status::Unavailable("no daemon running for " + home_dir);
  }
  if (::kill(pid, SIGUSR1) != 0) return Status::Unavailable("the daemon could not be signalled");
  return Status::OK();
}

Result<std::string> askDaemon(const std::string& home_dir, const std::string& request,
                              int timeout_ms) {
  if (!daemonRunning(home_dir)) return Status::Unavailable("no daemon running for " + home_dir);
  try {
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndtimeo, timeout_ms);
    socket.set(zmq::sockopt::rcvtimeo, timeout_ms);
    socket.set(zmq::sockopt::maxmsgsize, int64_t{16 << 20});
    socket.connect(controlEndpoint(home_dir));
    if (!socket.send(zmq::buffer(request), zmq::send_flags::none)) {
      return Status::Unavailable("daemon did not take the request");
    }
    zmq::message_t reply;
    if (!socket.recv(reply)) return Status::Unavailable("daemon did not answer in time");
    return reply.to_string();
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("control socket", e.what());
  }
}

}  // namespace eichub::daemon
