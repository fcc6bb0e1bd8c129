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

namespace {

// Sends signo to the daemon of home_dir when its run file says it takes signals (it names
// notify_signal: SIGUSR1 announces, SIGHUP reloads) and its pid and start time show it is
// still that process: a pid reused by another process since the daemon died must not get it.
// False when the daemon predates the signals. Errors: Unavailable when no daemon runs.
Result<bool> signalDaemon(const std::string& home_dir, int signo) {
  std::ifstream in(runFilePath(home_dir));
  if (!in) return Status::Unavailable("no daemon running for " + home_dir);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.contains("pid") || !doc["pid"].is_number_integer()) {
    return Status::Unavailable("no daemon running for " + home_dir);
  }
  if (doc.value("notify_signal", "") != kNotifySignalName || !doc.contains("start_time") ||
      !doc["start_time"].is_number_unsigned()) {
    return false;
  }
  const int pid = doc["pid"].get<int>();
  const uint64_t started = doc["start_time"].get<uint64_t>();
  if (started == 0 || processStartTime(pid) != started) {
    return Status::Unavailable("no daemon running for " + home_dir);
  }
  if (::kill(pid, signo) != 0) return Status::Unavailable("the daemon could not be signalled");
  return true;
}

}  // namespace

Status notifyDaemon(const std::string& home_dir, int timeout_ms) {
  EICHUB_ASSIGN_OR_RETURN(bool signalled, signalDaemon(home_dir, SIGUSR1));
  if (!signalled) return askDaemon(home_dir, "notify", timeout_ms).status();  // an older daemon
  return Status::OK();
}

Status reloadDaemon(const std::string& home_dir, int timeout_ms) {
  auto reply = askDaemon(home_dir, "reload", timeout_ms);
  if (reply.ok() || !daemonRunning(home_dir)) return reply.status();
  // A daemon too busy to answer in time (a loaded machine) still reloads on SIGHUP; reloading
  // twice, if the request gets through late, does no harm.
  auto signalled = signalDaemon(home_dir, SIGHUP);
  return signalled.ok() && *signalled ? Status::OK() : reply.status();
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
