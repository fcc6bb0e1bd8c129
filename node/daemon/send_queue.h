// SendQueue: one server link's messages that the ROUTER has not taken yet, bounded in bytes
// (issue 17, finding 4): ZMQ_SNDHWM counts messages of up to 8 MiB, so a peer that does not
// read is held to a few messages in ZeroMQ and the rest waits here, where the engine sees it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>

#include "federation/common/bytes.h"
#include "federation/sync/sync_options.h"

namespace eichub::daemon {

// The most one link may queue by default (limits.sync.send_queue_bytes): the serve budget's
// answers (the engine stops serving a link whose queue holds its budget), plus what passes it:
// the batch that crossed it, a hello (up to 7.9 MB), bodies and haves. A message past this is
// dropped (dropped_sends).
inline constexpr uint64_t kMaxQueuedBytesPerLink = 2 * sync::kServeBudgetBytes;

class SendQueue {
 public:
  explicit SendQueue(uint64_t max_bytes) : max_bytes_(max_bytes) {}
  // Queues bytes behind the others; false (nothing queued) when that would pass max_bytes.
  bool push(Bytes bytes);
  // Hands the queued messages, oldest first, to send until it returns false (the transport
  // takes no more now). Returns how many it took.
  size_t flush(const std::function<bool(const Bytes&)>& send);
  void clear();
  bool empty() const { return messages_.empty(); }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t max_bytes_;
  std::deque<Bytes> messages_;
  uint64_t bytes_ = 0;
};

}  // namespace eichub::daemon
