// ControlChannel: the daemon's end of the control channel (control.h is the CLI's end), a REP
// socket on ipc://<home>/daemon.sock served on the reactor thread. It parses the commands
// ("notify", "fetch ...", "reload", "status") and answers each with the handler's JSON.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "federation/common/result.h"
#include "federation/wire/messages.h"

namespace eichub::daemon {

// Control requests are short commands: the socket refuses larger messages.
inline constexpr int64_t kMaxControlMessageBytes = 4096;

class ControlChannel {
 public:
  // What each command does; every one runs on the reactor thread.
  struct Handlers {
    std::function<void()> notify;  // another process wrote to the store
    std::function<size_t(const std::vector<wire::BodyRef>&)> fetch;  // returns bodies queued
    std::function<Status()> reload;
    std::function<nlohmann::json()> status;
  };

  // Binds the REP socket of the daemon of home_dir (a stale socket file is removed first).
  // context must outlive the channel. Errors: Unavailable when the socket cannot be bound.
  static Result<std::unique_ptr<ControlChannel>> bind(zmq::context_t& context,
                                                      const std::string& home_dir,
                                                      Handlers handlers);

  zmq::socket_t& socket() { return socket_; }
  // Reads one request, if any, and answers it.
  void serveOne();
  // Removes the socket file (clean shutdown).
  void removeSocketFile();

 private:
  struct Token {
    explicit Token() = default;
  };

 public:
  ControlChannel(Token, zmq::socket_t socket, std::string home_dir, Handlers handlers);

 private:
  nlohmann::json answer(const std::string& command);

  zmq::socket_t socket_;
  std::string home_dir_;
  Handlers handlers_;
};

}  // namespace eichub::daemon
