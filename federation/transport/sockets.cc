// Peer-facing ROUTER and DEALER sockets: CURVE, ZAP enforcement, limits and heartbeats, set
// right after creation; zmq::error_t is turned into Status here and nowhere else.
#include "federation/transport/sockets.h"

#include <cstdint>
#include <utility>

#include <zmq.h>

#include "federation/transport/internal/zmq_status.h"
#include "federation/transport/zap_handler.h"

namespace eichub::transport {

namespace {

// ZMQ_ZAP_ENFORCE_DOMAIN is a draft option in 4.3.4 (no macro without ZMQ_BUILD_DRAFT_API),
// but Debian's libzmq accepts it. Without it a server with no ZAP handler admits anyone.
#ifdef ZMQ_ZAP_ENFORCE_DOMAIN
constexpr int kZapEnforceDomainOption = ZMQ_ZAP_ENFORCE_DOMAIN;
#else
constexpr int kZapEnforceDomainOption = 93;
#endif
constexpr int kMaxHeartbeatTtlMs = 6'553'599;  // libzmq's limit (deciseconds in 16 bits)
// libzmq applies ZMQ_MAXMSGSIZE to the ZMTP frame it decodes, which under CURVE is the boxed
// MESSAGE command: "\x07MESSAGE" (8) + nonce (8) + MAC (16) + flags (1) + payload. Adding this
// makes max_message_bytes a limit on the payload, as callers mean it.
constexpr int64_t kCurveFrameOverheadBytes = 33;

Status checkLimits(const SocketLimits& limits) {
  if (limits.max_message_bytes <= 0) return Status::InvalidArgument("max_message_bytes <= 0");
  if (limits.send_hwm < 0 || limits.receive_hwm < 0 || limits.router_send_hwm < 0) {
    return Status::InvalidArgument("hwm < 0");
  }
  if (limits.linger_ms < 0) return Status::InvalidArgument("infinite linger");
  if (limits.heartbeat_ivl_ms < 0 || limits.heartbeat_timeout_ms < 0 ||
      limits.heartbeat_timeout_ms > kMaxHeartbeatTtlMs) {
    return Status::InvalidArgument("heartbeat out of range");
  }
  if (limits.handshake_ivl_ms <= 0) return Status::InvalidArgument("handshake_ivl_ms <= 0");
  if (limits.reconnect_ivl_ms <= 0 || limits.reconnect_ivl_max_ms < limits.reconnect_ivl_ms) {
    return Status::InvalidArgument("reconnect interval out of range");
  }
  return Status::OK();
}

// Options shared by both ends, all CURVE. Throws zmq::error_t (caught by the callers below).
void applyLimits(zmq::socket_t& socket, const SocketLimits& limits) {
  socket.set(zmq::sockopt::linger, limits.linger_ms);
  socket.set(zmq::sockopt::maxmsgsize,
             static_cast<int64_t>(limits.max_message_bytes) + kCurveFrameOverheadBytes);
  socket.set(zmq::sockopt::sndhwm, limits.send_hwm);
  socket.set(zmq::sockopt::rcvhwm, limits.receive_hwm);
  socket.set(zmq::sockopt::heartbeat_ivl, limits.heartbeat_ivl_ms);
  socket.set(zmq::sockopt::heartbeat_timeout, limits.heartbeat_timeout_ms);
  socket.set(zmq::sockopt::heartbeat_ttl, limits.heartbeat_timeout_ms);
  socket.set(zmq::sockopt::handshake_ivl, limits.handshake_ivl_ms);
}

}  // namespace

Result<BoundRouter> bindRouter(zmq::context_t& context, const std::string& endpoint,
                               const CurveKeyPair& keys, const SocketLimits& limits) {
  EICHUB_RETURN_IF_ERROR(checkLimits(limits));
  if (!isCurveKey(keys.secret_z85)) return Status::InvalidArgument("bad CURVE secret key");
  try {
    zmq::socket_t socket(context, zmq::socket_type::router);
    applyLimits(socket, limits);
    // The ROUTER sends no pings of its own: each DEALER's pings carry its TTL, after which the
    // ROUTER closes a connection gone silent (ZMQ_HEARTBEAT_TTL), and answering them is enough.
    // Every link is pinged from one end, which halves an idle node's wake-ups (docs/network.md).
    socket.set(zmq::sockopt::heartbeat_ivl, 0);
    socket.set(zmq::sockopt::curve_server, true);
    socket.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
    socket.set(zmq::sockopt::zap_domain, kZapDomain);
    const int one = 1;
    if (zmq_setsockopt(socket.handle(), kZapEnforceDomainOption, &one, sizeof one) != 0) {
      return internal::statusFromErrno(zmq_errno(), "set ZMQ_ZAP_ENFORCE_DOMAIN");
    }
    socket.set(zmq::sockopt::sndhwm, limits.router_send_hwm);
    socket.set(zmq::sockopt::router_mandatory, limits.router_mandatory);
    socket.set(zmq::sockopt::router_handover, true);
    socket.bind(endpoint);
    std::string bound = socket.get(zmq::sockopt::last_endpoint);
    return BoundRouter{std::move(socket), std::move(bound)};
  } catch (const zmq::error_t& e) {
    return internal::statusFromZmq(e, "bind " + endpoint);
  }
}

Result<zmq::socket_t> connectDealer(zmq::context_t& context, const std::string& endpoint,
                                    const std::string& server_public_z85, const CurveKeyPair& keys,
                                    const SocketLimits& limits,
                                    const std::function<void(zmq::socket_t&)>& before_connect) {
  EICHUB_RETURN_IF_ERROR(checkLimits(limits));
  if (!isCurveKey(server_public_z85)) return Status::InvalidArgument("bad CURVE server key");
  if (!isCurveKey(keys.public_z85) || !isCurveKey(keys.secret_z85)) {
    return Status::InvalidArgument("bad CURVE client key pair");
  }
  try {
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    applyLimits(socket, limits);
    socket.set(zmq::sockopt::curve_serverkey, server_public_z85);
    socket.set(zmq::sockopt::curve_publickey, keys.public_z85);
    socket.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
    socket.set(zmq::sockopt::immediate, true);
    socket.set(zmq::sockopt::reconnect_ivl, limits.reconnect_ivl_ms);
    socket.set(zmq::sockopt::reconnect_ivl_max, limits.reconnect_ivl_max_ms);
    if (before_connect) before_connect(socket);
    socket.connect(endpoint);
    return socket;
  } catch (const zmq::error_t& e) {
    return internal::statusFromZmq(e, "connect " + endpoint);
  }
}

std::string peerKeyOf(const zmq::message_t& message) {
  // zmq_msg_gets on the C handle: cppzmq's gets() is non-const and throws when absent.
  const char* user_id = zmq_msg_gets(message.handle(), "User-Id");
  return user_id == nullptr ? std::string() : std::string(user_id);
}

}  // namespace eichub::transport
