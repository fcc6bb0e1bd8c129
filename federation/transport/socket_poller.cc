// SocketPoller: ZMQ_EVENTS asked once per socket before sleeping, and after waking only of the
// sockets whose ZMQ_FD fired.
#include "federation/transport/socket_poller.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>

namespace eichub::transport {
namespace {

using Clock = std::chrono::steady_clock;

// Asks a socket what it is ready for; sets revents to what item wants of that.
void askSocket(zmq::pollitem_t& item) {
  uint32_t events = 0;
  size_t size = sizeof(events);
  if (zmq_getsockopt(item.socket, ZMQ_EVENTS, &events, &size) != 0) throw zmq::error_t();
  item.revents =
      static_cast<short>(events & static_cast<uint32_t>(item.events) & (ZMQ_POLLIN | ZMQ_POLLOUT));
}

pollfd socketFd(const zmq::pollitem_t& item) {
  zmq_fd_t fd = -1;
  size_t size = sizeof(fd);
  if (zmq_getsockopt(item.socket, ZMQ_FD, &fd, &size) != 0) throw zmq::error_t();
  return pollfd{fd, POLLIN, 0};
}

pollfd plainFd(const zmq::pollitem_t& item) {
  short events = 0;
  if (item.events & ZMQ_POLLIN) events |= POLLIN;
  if (item.events & ZMQ_POLLOUT) events |= POLLOUT;
  if (item.events & ZMQ_POLLPRI) events |= POLLPRI;
  return pollfd{item.fd, events, 0};
}

// As zmq_poll reports a descriptor: anything but in, out and priority is an error.
short plainRevents(short revents) {
  short out = 0;
  if (revents & POLLIN) out |= ZMQ_POLLIN;
  if (revents & POLLOUT) out |= ZMQ_POLLOUT;
  if (revents & POLLPRI) out |= ZMQ_POLLPRI;
  if (revents & ~(POLLIN | POLLOUT | POLLPRI)) out |= ZMQ_POLLERR;
  return out;
}

}  // namespace

int SocketPoller::poll(std::span<zmq::pollitem_t> items, std::chrono::milliseconds timeout) {
  fds_.resize(items.size());
  int ready = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    zmq::pollitem_t& item = items[i];
    item.revents = 0;
    if (item.socket != nullptr) {
      fds_[i] = socketFd(item);
      askSocket(item);
      ready += item.revents != 0 ? 1 : 0;
    } else {
      fds_[i] = plainFd(item);
    }
  }
  const bool forever = timeout.count() < 0;
  const Clock::time_point deadline = Clock::now() + (forever ? timeout.zero() : timeout);
  while (true) {
    int wait_ms = -1;
    if (ready > 0) {
      wait_ms = 0;  // still look at the descriptors, as zmq_poll would
    } else if (!forever) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      wait_ms = static_cast<int>(std::max<int64_t>(left, 0));
    }
    const int fired = ::poll(fds_.data(), fds_.size(), wait_ms);
    if (fired < 0) {
      if (errno == EINTR) return ready;
      throw zmq::error_t();
    }
    for (size_t i = 0; fired > 0 && i < items.size(); ++i) {
      zmq::pollitem_t& item = items[i];
      if (fds_[i].revents == 0) continue;
      if (item.socket == nullptr) {
        item.revents = plainRevents(fds_[i].revents);
        ready += item.revents != 0 ? 1 : 0;
      } else if (item.revents == 0) {
        askSocket(item);  // commands arrived: perhaps a message with them
        ready += item.revents != 0 ? 1 : 0;
      }
    }
    // Woken by commands alone: sleep again for what is left of the timeout.
    if (ready > 0 || wait_ms == 0) return ready;
  }
}

}  // namespace eichub::transport
