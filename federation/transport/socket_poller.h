// SocketPoller: zmq_poll's contract with half of its system calls.
//
// libzmq 4.3's zmq_poll asks every ZeroMQ socket for ZMQ_EVENTS before it sleeps and again after
// it wakes, and each ask of a socket with no command pending is two system calls (a poll of the
// socket's mailbox eventfd, and libzmq's fork check, getpid). The daemon's reactor polls eight
// sockets or more: about 34 system calls per wait, as much CPU per live update as the signature
// check on a virtual machine where a system call costs a microsecond (docs/benchmarks.md).
//
// A socket's ZMQ_FD is edge-triggered: it becomes readable when commands reach the socket, and
// any call on the socket (a send included) may consume them, a message's arrival with them. So
// every socket is still asked once before sleeping; after waking, only the sockets whose ZMQ_FD
// fired are asked again. Everything a socket receives after it was asked signals its ZMQ_FD.
#pragma once

#include <chrono>
#include <span>
#include <vector>

#include <poll.h>
#include <zmq.hpp>

namespace eichub::transport {

// Not thread-safe: one per polling thread (it reuses its descriptor array).
class SocketPoller {
 public:
  // As zmq::poll: waits until an item is ready or timeout passes (-1: no timeout), sets each
  // item's revents (ZMQ_POLLIN and ZMQ_POLLOUT for sockets; ZMQ_POLLIN, ZMQ_POLLOUT, ZMQ_POLLPRI
  // and ZMQ_POLLERR for descriptors) and returns how many are ready. Returns 0 when a signal
  // interrupted the wait. Throws zmq::error_t when a socket cannot be asked (a closed context).
  int poll(std::span<zmq::pollitem_t> items, std::chrono::milliseconds timeout);

 private:
  std::vector<pollfd> fds_;
};

}  // namespace eichub::transport
