// FaultProxy (docs/reliability.md "The machine, and what it cannot show"): a userspace TCP
// forwarder put between two nodes in place of netem, which this kernel lacks. It can delay,
// throttle, stall (a silent partition: connections stay open, nothing flows), cut every connection
// (RST) and refuse new ones (a partition with errors), or cut each connection with a probability
// per forwarded chunk (the stream-level form of packet loss: TCP itself retransmits lost segments,
// so loss that matters to a ZeroMQ peer is a broken connection).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "tests/multinode/node_process.h"

namespace eichub::testing {

struct FaultSettings {
  std::chrono::milliseconds delay{0};  // added to every chunk, each direction
  uint64_t bytes_per_second = 0;       // 0: unthrottled
  bool stalled = false;                // keep connections, forward nothing
  bool refusing = false;               // close every connection at once and refuse new ones
  double cut_probability = 0;          // per forwarded chunk: reset that connection
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 (ephemeral port) and forwards each connection to target_port there.
  explicit FaultProxy(uint16_t target_port, uint64_t seed = 1);
  ~FaultProxy();  // stops the thread, closes every socket
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  uint16_t port() const { return port_; }
  std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

  void set(const FaultSettings& settings);
  // Resets every open connection now (RST); new ones are accepted unless refusing.
  void cutAll();

  uint64_t connections() const { return connections_.load(); }  // accepted so far
  uint64_t cuts() const { return cuts_.load(); }                // connections reset by a fault
  uint64_t bytesForwarded() const { return bytes_.load(); }

 private:
  void run();

  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  uint16_t port_ = 0;
  uint16_t target_port_;
  uint64_t seed_;
  std::mutex mu_;
  FaultSettings settings_;  // guarded by mu_
  bool cut_all_ = false;    // guarded by mu_
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> cuts_{0};
  std::atomic<uint64_t> bytes_{0};
  std::thread thread_;
};

// from adds to as a peer reached through proxy (to must be running).
void peerVia(NodeProcess& from, const NodeProcess& to, const FaultProxy& proxy);

}  // namespace eichub::testing
