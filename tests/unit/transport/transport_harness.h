// Test harness for the transport: one context per test, a ZAP handler and the sockets under
// test polled from the test thread, monitor events collected, and waitFor with a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "federation/transport/sockets.h"
#include "federation/transport/zap_handler.h"

namespace eichub::transport::testing {

using Clock = std::chrono::steady_clock;
// Long enough for a loaded 2-core CI machine; conditions normally hold within milliseconds.
constexpr std::chrono::milliseconds kDeadline{5000};
// How long "nothing arrives" is watched after the condition that proves the attempt was made.
constexpr std::chrono::milliseconds kQuietPeriod{300};
constexpr std::chrono::milliseconds kPollSlice{10};

// A message the ROUTER received: routing id, the User-Id of its payload frame, the payload.
struct Delivery {
  std::string routing_id;
  std::string peer_key;
  std::string payload;
};

struct MonitorEvent {
  uint16_t event = 0;
  uint32_t value = 0;
  std::chrono::milliseconds at{0};  // since the harness started, for failure messages
};

// Everything runs on the test thread: sockets are never shared between threads.
// Declare sockets after the harness so they close before its context terminates.
class Harness {
 public:
  zmq::context_t& context() { return context_; }

  void bindZap(std::set<std::string> allowed) {
    auto zap = ZapHandler::bind(context_);
    ASSERT_TRUE(zap.ok()) << zap.status().toString();
    zap_ = std::move(zap).value();
    zap_->setAllowedKeys(std::move(allowed));
  }
  ZapHandler& zap() { return *zap_; }

  // The ROUTER whose deliveries pump() collects, and whose events the monitor records.
  void watchRouter(zmq::socket_t& router) {
    router_ = &router;
    const std::string endpoint = "inproc://router-monitor";
    ASSERT_EQ(zmq_socket_monitor(router.handle(), endpoint.c_str(), ZMQ_EVENT_ALL), 0);
    zmq::socket_t monitor(context_, zmq::socket_type::pair);
    monitor.set(zmq::sockopt::linger, 0);
    monitor.connect(endpoint);
    monitors_.push_back(std::move(monitor));
  }

  // Polls the ZAP handler, the router and its monitor once, for at most kPollSlice.
  void pump() {
    std::vector<zmq::pollitem_t> items;
    if (zap_) items.push_back({zap_->socket().handle(), 0, ZMQ_POLLIN, 0});
    if (router_ != nullptr) items.push_back({router_->handle(), 0, ZMQ_POLLIN, 0});
    for (auto& m : monitors_) items.push_back({m.handle(), 0, ZMQ_POLLIN, 0});
    zmq::poll(items, kPollSlice);
    if (zap_) zap_->handleOne();
    drainRouter();
    drainMonitors();
  }

  // Pumps until pred holds (true) or the deadline passes (false).
  bool waitFor(const std::function<bool()>& pred, std::chrono::milliseconds timeout = kDeadline) {
    const auto deadline = Clock::now() + timeout;
    while (!pred()) {
      if (Clock::now() >= deadline) return false;
      pump();
    }
    return true;
  }

  // Pumps for the whole period (to show that something does not happen).
  void pumpFor(std::chrono::milliseconds period) {
    const auto deadline = Clock::now() + period;
    while (Clock::now() < deadline) pump();
  }

  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  bool delivered(const std::string& payload) const {
    for (const auto& d : deliveries_) {
      if (d.payload == payload) return true;
    }
    return false;
  }
  size_t countEvents(uint16_t event, std::optional<uint32_t> value = std::nullopt) const {
    size_t n = 0;
    for (const auto& e : events_) {
      if (e.event == event && (!value || e.value == *value)) ++n;
    }
    return n;
  }
  std::string describeEvents() const {
    std::string out;
    for (const auto& e : events_) {
      out += "event=0x" + hex(e.event) + " value=0x" + hex(e.value) +
             " at_ms=" + std::to_string(e.at.count()) + "\n";
    }
    return out;
  }

 private:
  void drainRouter() {
    if (router_ == nullptr) return;
    while (true) {
      zmq::message_t id;
      if (!router_->recv(id, zmq::recv_flags::dontwait)) return;
      Delivery d{id.to_string(), {}, {}};
      while (router_->get(zmq::sockopt::rcvmore)) {
        zmq::message_t part;
        (void)router_->recv(part, zmq::recv_flags::none);
        d.peer_key = peerKeyOf(part);
        d.payload += part.to_string();
      }
      deliveries_.push_back(std::move(d));
    }
  }
  void drainMonitors() {
    for (auto& m : monitors_) {
      zmq::message_t first;
      while (m.recv(first, zmq::recv_flags::dontwait)) {
        zmq::message_t address;
        (void)m.recv(address, zmq::recv_flags::none);
        MonitorEvent e;
        std::memcpy(&e.event, first.data(), sizeof e.event);
        std::memcpy(&e.value, static_cast<const char*>(first.data()) + 2, sizeof e.value);
        e.at = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_);
        events_.push_back(e);
      }
    }
  }

  static std::string hex(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%x", v);
    return buf;
  }

  const Clock::time_point start_ = Clock::now();
  // Members close in reverse order: monitors and the ZAP handler before the context.
  zmq::context_t context_;
  std::unique_ptr<ZapHandler> zap_;
  zmq::socket_t* router_ = nullptr;  // not owned: the test's socket
  std::vector<zmq::socket_t> monitors_;
  std::vector<Delivery> deliveries_;
  std::vector<MonitorEvent> events_;
};

// Queues payload on a DEALER without blocking; false while no connection is ready (with
// ZMQ_IMMEDIATE: until the handshake succeeded).
inline bool trySend(zmq::socket_t& dealer, const std::string& payload) {
  try {
    return dealer.send(zmq::buffer(payload), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

inline CurveKeyPair newKeys() {
  auto keys = generateCurveKeyPair();
  EXPECT_TRUE(keys.ok()) << keys.status().toString();
  return keys.ok() ? std::move(keys).value() : CurveKeyPair{};
}

}  // namespace eichub::transport::testing
