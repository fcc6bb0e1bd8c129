// The daemon's entry point: signals blocked for the signalfd, then the reactor until a stop
// signal (node/daemon/reactor.h).
#include "node/daemon/daemon.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <zmq.hpp>

#include "node/daemon/reactor.h"

namespace eichub::daemon {

std::string runFilePath(const std::string& home_dir) { return home_dir + "/daemon.json"; }

std::string controlEndpoint(const std::string& home_dir) {
  return "ipc://" + home_dir + "/daemon.sock";
}

uint64_t processStartTime(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name (field 2) is in parentheses and may hold spaces: count after the last ')'.
  size_t at = stat.rfind(')');
  if (at == std::string::npos) return 0;
  std::istringstream fields(stat.substr(at + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return 0;
}

Status runDaemon(home::Home& home, const std::string& log_level_flag) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR1);  // notify (kNotifySignalName)
  // Blocked here so that they reach the reactor through the signalfd and every thread started
  // afterwards (ZeroMQ's included) inherits the mask.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC);
  if (signal_fd < 0) return Status::IOError("signalfd failed");
  Status status;
  {
    zmq::context_t context(1);
    {
      Reactor reactor(home, context, log_level_flag);
      status = reactor.start();
      if (status.ok()) status = reactor.run(signal_fd);
    }
    context.shutdown();
  }
  ::close(signal_fd);
  return status;
}

}  // namespace eichub::daemon
