// ControlChannel: the REP socket and the commands it takes.
#include "node/daemon/control_channel.h"

#include <cstdio>

#include "node/daemon/daemon.h"
#include "node/daemon/fetch_command.h"

namespace eichub::daemon {
namespace {

std::string socketFile(const std::string& home_dir) { return home_dir + "/daemon.sock"; }

}  // namespace

Result<std::unique_ptr<ControlChannel>> ControlChannel::bind(zmq::context_t& context,
                                                             const std::string& home_dir,
                                                             Handlers handlers) {
  zmq::socket_t socket(context, zmq::socket_type::rep);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::maxmsgsize, kMaxControlMessageBytes);
  std::remove(socketFile(home_dir).c_str());
  try {
    socket.bind(controlEndpoint(home_dir));
  } catch (const zmq::error_t& e) {
    return Status::Unavailable("cannot bind the control socket", e.what());
  }
  return std::make_unique<ControlChannel>(Token{}, std::move(socket), home_dir,
                                          std::move(handlers));
}

ControlChannel::ControlChannel(Token, zmq::socket_t socket, std::string home_dir, Handlers handlers)
    : socket_(std::move(socket)), home_dir_(std::move(home_dir)), handlers_(std::move(handlers)) {}

void ControlChannel::serveOne() {
  zmq::message_t request;
  if (!socket_.recv(request, zmq::recv_flags::dontwait)) return;
  nlohmann::json reply = answer(request.to_string());
  socket_.send(zmq::buffer(reply.dump()), zmq::send_flags::none);
}

nlohmann::json ControlChannel::answer(const std::string& command) {
  if (command == "notify") {
    handlers_.notify();
    return {{"ok", true}};
  }
  if (command.rfind("fetch ", 0) == 0) {
    auto refs = parseFetchCommand(command);
    if (!refs.ok()) return {{"ok", false}, {"error", refs.status().message()}};
    return {{"ok", true}, {"queued", handlers_.fetch(*refs)}};
  }
  if (command == "reload") {
    Status s = handlers_.reload();
    return {{"ok", s.ok()}, {"error", s.ok() ? "" : s.message()}};
  }
  if (command == "status") return handlers_.status();
  return {{"ok", false}, {"error", "unknown command"}};
}

void ControlChannel::removeSocketFile() { std::remove(socketFile(home_dir_).c_str()); }

}  // namespace eichub::daemon
