// SendQueue: a server link's messages waiting for the ROUTER, bounded in bytes.
#include "node/daemon/send_queue.h"

#include <utility>

namespace eichub::daemon {

bool SendQueue::push(Bytes bytes) {
  if (bytes_ + bytes.size() > max_bytes_) return false;
  bytes_ += bytes.size();
  messages_.push_back(std::move(bytes));
  return true;
}

size_t SendQueue::flush(const std::function<bool(const Bytes&)>& send) {
  size_t taken = 0;
  while (!messages_.empty() && send(messages_.front())) {
    bytes_ -= messages_.front().size();
    messages_.pop_front();
    ++taken;
  }
  return taken;
}

void SendQueue::clear() {
  messages_.clear();
  bytes_ = 0;
}

}  // namespace eichub::daemon
