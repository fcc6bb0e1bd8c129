// ZapHandler: the ZeroMQ authentication (ZAP, RFC 27) handler that admits only the CURVE keys
// of configured peers. Without a ZAP handler a CURVE server accepts any client, so the daemon
// refuses to start unless this handler is bound (and servers set ZMQ_ZAP_ENFORCE_DOMAIN).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <zmq.hpp>

#include "federation/common/result.h"

namespace eichub::transport {

// The ZAP domain every eichub server socket uses.
inline constexpr char kZapDomain[] = "eichub";

// Owned by the reactor thread, which polls socket() for ZMQ_POLLIN and calls handleOne() when
// it is readable. Not thread-safe: every method runs on the owning thread. ZAP runs only at the
// handshake, so it must be bound (in the same context) before any server socket accepts.
class ZapHandler {
 public:
  // Binds a REP socket (linger 0) at inproc://zeromq.zap.01 on context.
  // Errors: Unavailable when another handler is bound in this context or the context is
  // terminated.
  static Result<std::unique_ptr<ZapHandler>> bind(zmq::context_t& context);

  // The set of admitted client keys (Z85). Replaces the previous set; sessions already
  // admitted are not affected (the caller closes them); the next handshake uses the new set.
  void setAllowedKeys(std::set<std::string> public_keys_z85);

  // Answers one pending request, if any (returns at once when none is pending): 200 with
  // User-Id = the client's Z85 key when the mechanism is CURVE, the domain is kZapDomain and
  // the key is allowed; 400 for another mechanism, domain or key; 500 for a malformed request
  // (wrong version, too few or too many frames, a credential that is not 32 bytes). Every
  // non-200 answer counts as refused. Never throws; ETERM while answering is ignored.
  void handleOne();

  zmq::socket_t& socket() { return socket_; }
  uint64_t admitted() const { return admitted_; }
  uint64_t refused() const { return refused_; }

  // Public for make_unique; use bind().
  explicit ZapHandler(zmq::socket_t socket);

 private:
  zmq::socket_t socket_;
  std::set<std::string> allowed_;
  uint64_t admitted_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace eichub::transport
