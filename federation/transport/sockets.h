// Creation of the peer-facing ZeroMQ sockets with every option set (STYLE.md rule 17):
// CURVE, ZAP domain enforcement, size limits, high-water marks, linger, heartbeats.
#pragma once

#include <functional>
#include <string>

#include <zmq.hpp>

#include "federation/common/result.h"
#include "federation/transport/curve_keys.h"

namespace eichub::transport {

// Options applied to every peer-facing socket. Worst-case buffered bytes per peer are about
// (send_hwm + receive_hwm) * max_message_bytes plus kernel buffers (docs/reliability.md case 28).
struct SocketLimits {
  int max_message_bytes = 8 << 20;  // payload; a peer sending more is disconnected (the
                                    // socket's ZMQ_MAXMSGSIZE adds the CURVE frame overhead)
  int send_hwm = 1000;              // messages queued per peer before sends fail / drop
  // A ROUTER's: the daemon keeps it small and queues the rest itself, in bytes (SendQueue).
  int router_send_hwm = 1000;
  // A ROUTER's send to a full peer fails with EAGAIN instead of dropping the message, and to a
  // gone peer throws EHOSTUNREACH (ZMQ_ROUTER_MANDATORY).
  bool router_mandatory = false;
  int receive_hwm = 1000;
  int linger_ms = 100;                // bounded, so context termination never hangs
  int heartbeat_ivl_ms = 10'000;      // ZMQ_HEARTBEAT_IVL of a DEALER (a ROUTER sends no pings)
  int heartbeat_timeout_ms = 30'000;  // a silent link is closed after this (also HEARTBEAT_TTL)
  int handshake_ivl_ms = 5000;        // a handshake not done by then is dropped (default 30 s)
  int reconnect_ivl_ms = 100;         // DEALER: first reconnect delay
  int reconnect_ivl_max_ms = 5000;    // DEALER: reconnect backoff cap
};

// A ROUTER bound at endpoint as a CURVE server that requires ZAP (domain kZapDomain,
// ZMQ_ZAP_ENFORCE_DOMAIN=1), with ZMQ_SNDHWM limits.router_send_hwm, ZMQ_ROUTER_MANDATORY
// limits.router_mandatory (false: sends to an unknown or full peer are dropped, never block)
// and ZMQ_ROUTER_HANDOVER=1. endpoint is the endpoint actually bound
// (tcp://127.0.0.1:* resolved). The caller must have bound a ZapHandler in the same context:
// without one every handshake fails (nobody is admitted) and this cannot detect it.
// Errors: InvalidArgument (bad endpoint, bad key, bad limits), Unavailable (address in use,
// context terminated), IOError (other libzmq failures).
struct BoundRouter {
  zmq::socket_t socket;
  std::string endpoint;
};
Result<BoundRouter> bindRouter(zmq::context_t& context, const std::string& endpoint,
                               const CurveKeyPair& keys, const SocketLimits& limits);

// A DEALER connecting to a peer's ROUTER as a CURVE client (server_public_z85 is the peer's
// transport key), with ZMQ_IMMEDIATE so nothing queues for a link that is not up: until the
// handshake succeeds a send blocks, or fails with EAGAIN under dontwait. Connecting is
// asynchronous; a refused or failed handshake shows up only as messages never arriving.
// Errors: InvalidArgument (bad endpoint, bad key, bad limits), Unavailable, IOError.
// before_connect runs on the configured socket just before connect(): the place to attach a
// socket monitor, so that no connection event is missed.
Result<zmq::socket_t> connectDealer(zmq::context_t& context, const std::string& endpoint,
                                    const std::string& server_public_z85, const CurveKeyPair& keys,
                                    const SocketLimits& limits,
                                    const std::function<void(zmq::socket_t&)>& before_connect = {});

// The authenticated CURVE key (Z85) of the peer that sent message on a ROUTER: the User-Id the
// ZAP handler set. Pass a payload frame, not the routing-id frame the ROUTER prepends (that
// one carries no metadata). Empty when absent.
std::string peerKeyOf(const zmq::message_t& message);

}  // namespace eichub::transport
