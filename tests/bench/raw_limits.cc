// Raw limits: Ed25519 verify rate, LMDB append rate, ZeroMQ CURVE loopback throughput.
#include "tests/bench/raw_limits.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "federation/crypto/ed25519_key.h"
#include "federation/transport/curve_keys.h"
#include "federation/transport/sockets.h"
#include "federation/transport/zap_handler.h"
#include "node/store/lmdb_env.h"

namespace eichub::bench {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Small control messages of the CURVE benchmark, told apart from bulk ones by size.
constexpr size_t kSmallMessageBytes = 64;
constexpr char kPing = 'p';
constexpr char kStop = 's';
constexpr char kDone = 'd';

// The ROUTER side, on its own thread with its own context (a socket stays on one thread):
// answers ZAP, echoes pings, counts bulk messages and says kDone after the last one.
void serveCurve(zmq::context_t& context, const transport::CurveKeyPair& keys,
                const std::string& client_public_z85, const transport::SocketLimits& limits,
                uint64_t bulk_messages, std::promise<std::string>& endpoint) {
  auto zap = transport::ZapHandler::bind(context);
  if (!zap.ok()) {
    endpoint.set_value("");
    return;
  }
  (*zap)->setAllowedKeys({client_public_z85});
  auto router = transport::bindRouter(context, "tcp://127.0.0.1:*", keys, limits);
  if (!router.ok()) {
    endpoint.set_value("");
    return;
  }
  endpoint.set_value(router->endpoint);
  zmq::socket_t& socket = router->socket;
  uint64_t bulk = 0;
  int idle_polls = 0;  // a client that failed never sends kStop: give up after 30 quiet seconds
  try {
    while (idle_polls < 30) {
      std::vector<zmq::pollitem_t> items = {{(*zap)->socket().handle(), 0, ZMQ_POLLIN, 0},
                                            {socket.handle(), 0, ZMQ_POLLIN, 0}};
      idle_polls = zmq::poll(items, std::chrono::milliseconds(1000)) == 0 ? idle_polls + 1 : 0;
      if (items[0].revents & ZMQ_POLLIN) (*zap)->handleOne();
      if (!(items[1].revents & ZMQ_POLLIN)) continue;
      zmq::message_t id;
      zmq::message_t payload;
      if (!socket.recv(id, zmq::recv_flags::dontwait) || !socket.recv(payload)) continue;
      if (payload.size() > kSmallMessageBytes) {
        if (++bulk == bulk_messages) {
          socket.send(id, zmq::send_flags::sndmore);
          socket.send(zmq::buffer(&kDone, 1), zmq::send_flags::none);
        }
        continue;
      }
      if (payload.size() > 0 && *payload.data<char>() == kStop) return;
      socket.send(id, zmq::send_flags::sndmore);
      socket.send(payload, zmq::send_flags::none);
    }
  } catch (const zmq::error_t&) {
    return;  // the client sees no answer and reports it
  }
}

}  // namespace

double rawVerifyRate(const feed::VerifiedUpdate& sample, int verifies) {
  const feed::SignedUpdate& update = sample.signed_update;
  auto start = Clock::now();
  for (int i = 0; i < verifies; ++i) {
    Status s = crypto::verifySignature(sample.fields.author, update.header, update.signature);
    EICHUB_CHECK(s.ok()) << "sample signature: " << s.toString();
  }
  return verifies / secondsSince(start);
}

Result<LmdbRate> rawLmdbWriteRate(const std::string& dir, uint64_t count, size_t value_bytes,
                                  uint64_t txn_puts) {
  store::LmdbOptions options;
  // Room for everything up front: growing the map is not what is measured here.
  options.initial_map_bytes = count * (value_bytes + 128) * 2 + (64ull << 20);
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<store::LmdbEnv> env, store::LmdbEnv::open(dir, options));
  Bytes value(value_bytes, 0xa5);
  Bytes key(kPublicKeyBytes, 0x11);
  auto start = Clock::now();
  uint64_t seq = 1;
  while (seq <= count) {
    EICHUB_ASSIGN_OR_RETURN(store::WriteTxn txn, env->beginWrite());
    for (uint64_t i = 0; i < txn_puts && seq <= count; ++i, ++seq) {
      key.resize(kPublicKeyBytes);
      appendU64BE(key, seq);
      EICHUB_RETURN_IF_ERROR(txn.put(store::Table::kHeaders, key, value, MDB_APPEND));
    }
    EICHUB_RETURN_IF_ERROR(txn.commit());
  }
  double seconds = secondsSince(start);
  return LmdbRate{static_cast<double>(count) / seconds,
                  static_cast<double>(count * value_bytes) / seconds / (1 << 20)};
}

Result<CommitLatency> rawLmdbCommitLatency(const std::string& dir, int rounds, size_t value_bytes) {
  if (rounds <= 0) return Status::InvalidArgument("commit latency rounds");
  EICHUB_ASSIGN_OR_RETURN(std::unique_ptr<store::LmdbEnv> env,
                          store::LmdbEnv::open(dir, store::LmdbOptions{}));
  Bytes value(value_bytes, 0xa5);
  Bytes key(kPublicKeyBytes, 0x22);
  std::vector<double> micros;
  for (int i = 1; i <= rounds; ++i) {
    auto start = Clock::now();
    EICHUB_ASSIGN_OR_RETURN(store::WriteTxn txn, env->beginWrite());
    key.resize(kPublicKeyBytes);
    appendU64BE(key, static_cast<uint64_t>(i));
    EICHUB_RETURN_IF_ERROR(txn.put(store::Table::kHeaders, key, value, MDB_APPEND));
    EICHUB_RETURN_IF_ERROR(txn.commit());
    micros.push_back(secondsSince(start) * 1e6);
  }
  std::sort(micros.begin(), micros.end());
  return CommitLatency{micros[micros.size() / 2], micros[micros.size() * 99 / 100]};
}

Result<CurveRate> rawCurveRate(uint64_t messages, size_t message_bytes, int rtt_rounds) {
  if (messages == 0 || message_bytes <= kSmallMessageBytes || rtt_rounds <= 0) {
    return Status::InvalidArgument("CURVE benchmark sizes");
  }
  EICHUB_ASSIGN_OR_RETURN(transport::CurveKeyPair server_keys, transport::generateCurveKeyPair());
  EICHUB_ASSIGN_OR_RETURN(transport::CurveKeyPair client_keys, transport::generateCurveKeyPair());
  transport::SocketLimits limits;
  limits.max_message_bytes =
      std::max(limits.max_message_bytes, static_cast<int>(message_bytes) + 1024);
  zmq::context_t server_context(1);
  zmq::context_t client_context(1);
  std::promise<std::string> bound;
  std::future<std::string> endpoint = bound.get_future();
  std::thread server([&] {
    serveCurve(server_context, server_keys, client_keys.public_z85, limits, messages, bound);
  });
  CurveRate rate;
  Status status = [&]() -> Status {
    std::string at = endpoint.get();
    if (at.empty()) return Status::Unavailable("CURVE server socket");
    EICHUB_ASSIGN_OR_RETURN(
        zmq::socket_t dealer,
        transport::connectDealer(client_context, at, server_keys.public_z85, client_keys, limits));
    try {
      dealer.set(zmq::sockopt::rcvtimeo, 30'000);
      std::string ping(kSmallMessageBytes, kPing);
      std::vector<double> rtts;
      zmq::message_t reply;
      for (int i = -10; i < rtt_rounds; ++i) {  // the first rounds include the handshake
        auto start = Clock::now();
        dealer.send(zmq::buffer(ping), zmq::send_flags::none);
        if (!dealer.recv(reply)) return Status::Unavailable("no CURVE echo");
        if (i >= 0) rtts.push_back(secondsSince(start) * 1e6);
      }
      std::sort(rtts.begin(), rtts.end());
      rate.rtt_median_us = rtts[rtts.size() / 2];
      rate.rtt_p99_us = rtts[rtts.size() * 99 / 100];

      Bytes payload(message_bytes, 0x5a);
      auto start = Clock::now();
      for (uint64_t i = 0; i < messages; ++i) {
        // Zero-copy (no free function): the buffer outlives every send, as kDone comes last.
        zmq::message_t message(payload.data(), payload.size(), nullptr);
        dealer.send(message, zmq::send_flags::none);
      }
      if (!dealer.recv(reply)) return Status::Unavailable("no CURVE completion");
      double seconds = secondsSince(start);
      rate.messages_per_s = static_cast<double>(messages) / seconds;
      rate.mib_per_s = static_cast<double>(messages * message_bytes) / seconds / (1 << 20);
      dealer.send(zmq::buffer(&kStop, 1), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      return Status::Unavailable("CURVE benchmark", e.what());
    }
    return Status::OK();
  }();
  server.join();
  if (!status.ok()) return status;
  return rate;
}

}  // namespace eichub::bench
