// The ZAP (RFC 27) handler: answers libzmq's authentication requests for CURVE handshakes,
// admitting only configured client keys. Every request gets a reply, malformed ones a 500.
#include "federation/transport/zap_handler.h"

#include <array>
#include <cerrno>
#include <string_view>
#include <utility>
#include <vector>

#include "federation/transport/internal/zmq_status.h"

namespace eichub::transport {

namespace {

constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";  // fixed by RFC 27
constexpr std::string_view kZapVersion = "1.0";
constexpr std::string_view kCurveMechanism = "CURVE";
constexpr size_t kCurveKeyBytes = 32;
// version, request id, domain, address, identity, mechanism, credentials: CURVE sends one
// credential frame. More than this is malformed; the rest is drained, not stored.
constexpr size_t kMaxRequestFrames = 8;

// Indexes of the request frames (RFC 27).
enum Frame : size_t {
  kVersion = 0,
  kRequestId,
  kDomain,
  kAddress,
  kIdentity,
  kMechanism,
  kFirstCredential,
};

struct Decision {
  std::string_view code;
  std::string_view text;
  std::string user_id;
};

std::string_view view(const zmq::message_t& frame) {
  return {static_cast<const char*>(frame.data()), frame.size()};
}

// The answer to one request. Only CURVE in our domain with an allowed key is admitted.
Decision decide(const std::vector<zmq::message_t>& frames, bool overflow,
                const std::set<std::string>& allowed) {
  if (overflow || frames.size() < kFirstCredential) return {"500", "malformed request", {}};
  if (view(frames[kVersion]) != kZapVersion) return {"500", "unsupported ZAP version", {}};
  if (view(frames[kMechanism]) != kCurveMechanism) return {"400", "CURVE required", {}};
  if (frames.size() != kFirstCredential + 1 || frames[kFirstCredential].size() != kCurveKeyBytes) {
    return {"500", "malformed CURVE credentials", {}};
  }
  if (view(frames[kDomain]) != kZapDomain) return {"400", "wrong ZAP domain", {}};
  std::array<char, 41> z85{};  // 32 bytes -> 40 characters and a terminator
  if (zmq_z85_encode(z85.data(), static_cast<const uint8_t*>(frames[kFirstCredential].data()),
                     kCurveKeyBytes) == nullptr) {
    return {"500", "cannot encode key", {}};
  }
  std::string key(z85.data());
  if (allowed.count(key) == 0) return {"400", "key not allowed", {}};
  return {"200", "OK", std::move(key)};
}

}  // namespace

ZapHandler::ZapHandler(zmq::socket_t socket) : socket_(std::move(socket)) {}

Result<std::unique_ptr<ZapHandler>> ZapHandler::bind(zmq::context_t& context) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::rep);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind(kZapEndpoint);
    return std::make_unique<ZapHandler>(std::move(socket));
  } catch (const zmq::error_t& e) {
    if (e.num() == EADDRINUSE) {
      return Status::Unavailable("a ZAP handler is already bound in this context");
    }
    return internal::statusFromZmq(e, "bind ZAP handler");
  }
}

void ZapHandler::setAllowedKeys(std::set<std::string> public_keys_z85) {
  allowed_ = std::move(public_keys_z85);
}

void ZapHandler::handleOne() {
  std::vector<zmq::message_t> frames;
  bool overflow = false;
  try {
    zmq::message_t first;
    if (!socket_.recv(first, zmq::recv_flags::dontwait)) return;  // nothing pending
    bool more = first.more();
    frames.push_back(std::move(first));
    // The parts of one message arrive together, so these receives do not block.
    while (more) {
      zmq::message_t part;
      if (!socket_.recv(part, zmq::recv_flags::dontwait)) break;
      more = part.more();
      if (frames.size() < kMaxRequestFrames) {
        frames.push_back(std::move(part));
      } else {
        overflow = true;
      }
    }
  } catch (const zmq::error_t&) {
    // ETERM while shutting down: there is nobody left to answer.
    return;
  }

  Decision decision = decide(frames, overflow, allowed_);
  if (decision.code == "200") {
    ++admitted_;
  } else {
    ++refused_;
  }
  const std::string_view request_id =
      frames.size() > kRequestId ? view(frames[kRequestId]) : std::string_view();
  try {
    socket_.send(zmq::buffer(kZapVersion), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(decision.code), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(decision.text), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(decision.user_id), zmq::send_flags::sndmore);
    socket_.send(zmq::message_t(), zmq::send_flags::none);  // metadata: none
  } catch (const zmq::error_t&) {
    // The requester is gone (ETERM, or a REQ peer that closed): nothing to do.
  }
}

}  // namespace eichub::transport
