// RawPeer: scripted ROUTER on its own thread, raw DEALER on the test thread.
#include "tests/multinode/raw_peer.h"

#include <cstring>
#include <future>

#include <nlohmann/json.hpp>
#include <zmq.h>

#include "federation/common/check.h"
#include "federation/crypto/sha256.h"
#include "federation/feed/appender.h"
#include "federation/feed/verify.h"
#include "federation/transport/zap_handler.h"
#include "node/catalog/record_json.h"
#include "node/home/home.h"

namespace eichub::testing {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kPollSlice{20};  // how often the serving loop checks for stop

milliseconds leftUntil(Clock::time_point deadline) {
  return std::max(milliseconds(0),
                  std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

// A hello with no node id gets node_id, as a real node's hello carries its own: nodes refuse a
// hello whose id is not the peer card's (identity_mismatch, docs/reliability.md case 25). Anything
// else, a hello naming an id on purpose included, is sent as it is.
Bytes withOwnNodeId(ByteView bytes, const PublicKey& node_id) {
  auto message = wire::decode(bytes);
  auto* hello = message.ok() ? std::get_if<wire::Hello>(&*message) : nullptr;
  if (hello == nullptr || hello->node_id != PublicKey{}) return Bytes(bytes.begin(), bytes.end());
  hello->node_id = node_id;
  return wire::encode(*hello);
}

}  // namespace

wire::HeadInfo headOf(const FeedUpdates& feed) {
  EICHUB_CHECK(!feed.empty()) << "a served feed has at least one update";
  const feed::SignedUpdate& last = feed.back();
  auto fields = feed::decodeHeader(last.header);
  EICHUB_CHECK(fields.ok()) << fields.status().toString();
  return {fields->author, fields->seq, feed::signedHeaderHash(last.header, last.signature)};
}

wire::Hello helloWithHeads(const std::string& network, const std::vector<FeedUpdates>& feeds) {
  wire::Hello hello;
  hello.protocol_version = wire::protocolVersion();
  hello.network = network;
  for (const FeedUpdates& feed : feeds) hello.heads.push_back(headOf(feed));
  return hello;
}

std::vector<Bytes> honestAnswer(const std::string& network, const std::vector<FeedUpdates>& feeds,
                                const wire::Message& message) {
  if (std::holds_alternative<wire::Hello>(message)) {
    return {wire::encode(helloWithHeads(network, feeds))};
  }
  const auto* want = std::get_if<wire::Want>(&message);
  if (want == nullptr) return {};
  std::vector<Bytes> out;
  for (const FeedUpdates& feed : feeds) {
    if (headOf(feed).author != want->author) continue;
    uint64_t from = want->from_seq;
    uint64_t left = want->credit;
    while (left > 0 && from >= 1 && from <= feed.size()) {
      const uint64_t count =
          std::min<uint64_t>({left, wire::kMaxBatchUpdates, feed.size() - from + 1});
      wire::Updates run;
      run.updates.assign(feed.begin() + static_cast<ptrdiff_t>(from - 1),
                         feed.begin() + static_cast<ptrdiff_t>(from - 1 + count));
      if (want->headers_only) {
        for (feed::SignedUpdate& update : run.updates) update.body.clear();
      }
      out.push_back(wire::encode(run));
      from += count;
      left -= count;
    }
  }
  return out;
}

FeedUpdates makeFeed(const crypto::SigningKey& key, const std::string& network,
                     const std::string& prefix, size_t n, int64_t time_ms) {
  return extendFeed(key, network, {}, prefix, n, time_ms);
}

FeedUpdates extendFeed(const crypto::SigningKey& key, const std::string& network,
                       const FeedUpdates& base, const std::string& prefix, size_t n,
                       int64_t time_ms) {
  feed::Head head;
  if (!base.empty()) {
    auto last = feed::verifyUpdate(base.back(), network);
    EICHUB_CHECK(last.ok()) << last.status().toString();
    head = feed::headAfter(*last);
  }
  feed::FeedAppender appender(key, network, head);
  FeedUpdates out = base;
  for (size_t i = 0; i < n; ++i) {
    nlohmann::json record = {{"kind", "LearningResource"},
                             {"id", prefix + "/" + std::to_string(i)},
                             {"title", {{"en", "Raw course " + prefix + " " + std::to_string(i)}}},
                             {"sectors", {"healthcare"}}};
    auto change = catalog::changeFromJson(record);
    EICHUB_CHECK(change.ok()) << change.status().toString();
    feed::VerifiedUpdate update =
        appender.append(change->op, catalog::kindCode(change->kind), change->id, change->tags,
                        change->body, time_ms + static_cast<int64_t>(i));
    out.push_back(std::move(update.signed_update));
  }
  return out;
}

RawPeer::RawPeer(crypto::SigningKey key, std::set<std::string> allowed_keys, ServeScript script,
                 PushScript push)
    : key_(std::move(key)), keys_(transport::generateCurveKeyPair().value()), context_(1) {
  std::promise<std::string> bound;
  std::future<std::string> endpoint = bound.get_future();
  server_ = std::thread([this, &bound, allowed = std::move(allowed_keys),
                         script = std::move(script), push = std::move(push)]() mutable {
    // The ZAP handler and the ROUTER are created, used and closed on this thread.
    auto zap = transport::ZapHandler::bind(context_);
    if (!zap.ok()) {
      bound.set_value("");
      return;
    }
    (*zap)->setAllowedKeys(std::move(allowed));
    auto router =
        transport::bindRouter(context_, "tcp://127.0.0.1:*", keys_, transport::SocketLimits{});
    if (!router.ok()) {
      bound.set_value("");
      return;
    }
    bound.set_value(router->endpoint);  // `bound` is not touched after this
    zmq::socket_t& socket = router->socket;
    std::map<std::string, std::string> pushed_to;  // routing id -> the node's CURVE key
    auto last_push = Clock::now();
    while (!stop_.load()) {
      zmq::pollitem_t items[] = {{(*zap)->socket().handle(), 0, ZMQ_POLLIN, 0},
                                 {socket.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, kPollSlice);
      if (items[0].revents & ZMQ_POLLIN) (*zap)->handleOne();
      if (push && Clock::now() - last_push >= kPollSlice) {
        last_push = Clock::now();
        pushAll(socket, pushed_to, push);
      }
      if ((items[1].revents & ZMQ_POLLIN) == 0) continue;
      while (socket.get(zmq::sockopt::events) & ZMQ_POLLIN) {
        zmq::message_t routing_id;
        zmq::message_t payload;
        if (!socket.recv(routing_id, zmq::recv_flags::dontwait)) break;
        if (!routing_id.more() || !socket.recv(payload, zmq::recv_flags::dontwait)) continue;
        while (payload.more()) {
          zmq::message_t extra;
          if (!socket.recv(extra, zmq::recv_flags::dontwait) || !extra.more()) break;
        }
        auto message =
            wire::decode(ByteView(static_cast<const uint8_t*>(payload.data()), payload.size()));
        if (!message.ok()) continue;
        if (std::holds_alternative<wire::Want>(*message)) ++wants_;
        if (push) pushed_to[routing_id.to_string()] = transport::peerKeyOf(payload);
        for (const Bytes& scripted : script(transport::peerKeyOf(payload), *message)) {
          const Bytes reply = withOwnNodeId(scripted, key_.publicKey());
          zmq::message_t id_frame(routing_id.data(), routing_id.size());
          zmq::message_t reply_frame(reply.data(), reply.size());
          if (socket.send(id_frame, zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
              socket.send(reply_frame, zmq::send_flags::dontwait)) {
            ++served_;
          }
        }
      }
    }
  });
  endpoint_ = endpoint.get();
  EICHUB_CHECK(!endpoint_.empty()) << "the raw peer could not bind its ROUTER";
}

void RawPeer::pushAll(zmq::socket_t& socket, const std::map<std::string, std::string>& to,
                      const PushScript& push) {
  for (const auto& [routing_id, peer_key] : to) {
    for (const Bytes& payload : push(peer_key)) {
      zmq::message_t id_frame(routing_id.data(), routing_id.size());
      zmq::message_t frame(payload.data(), payload.size());
      if (socket.send(id_frame, zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
          socket.send(frame, zmq::send_flags::dontwait)) {
        ++pushed_;
      }
    }
  }
}

RawPeer::~RawPeer() {
  stop_.store(true);
  server_.join();
  if (dealer_) zmq_socket_monitor(dealer_.handle(), nullptr, 0);
}

std::string RawPeer::card() const {
  return home::formatPeerCard({key_.publicKey(), keys_.public_z85, endpoint_});
}

std::string RawPeer::nodeIdHex() const { return toHex(key_.publicKey()); }

void RawPeer::connect(const std::string& node_card, int receive_hwm, int receive_buffer) {
  auto card = home::parsePeerCard(node_card);
  EICHUB_CHECK(card.ok()) << card.status().toString();
  if (dealer_) {
    zmq_socket_monitor(dealer_.handle(), nullptr, 0);
    dealer_.close();
    monitor_.close();
  }
  up_ = false;
  const std::string monitor_endpoint =
      "inproc://raw-monitor-" + std::to_string(++monitor_generation_);
  zmq::socket_t monitor(context_, zmq::socket_type::pair);
  transport::SocketLimits limits;
  limits.receive_hwm = receive_hwm;
  auto dealer = transport::connectDealer(
      context_, card->endpoint, card->transport_public_z85, keys_, limits,
      [&](zmq::socket_t& socket) {
        if (receive_buffer > 0) socket.set(zmq::sockopt::rcvbuf, receive_buffer);
        zmq_socket_monitor(socket.handle(), monitor_endpoint.c_str(),
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);
        monitor.set(zmq::sockopt::linger, 0);
        monitor.connect(monitor_endpoint);
      });
  EICHUB_CHECK(dealer.ok()) << dealer.status().toString();
  dealer_ = std::move(dealer).value();
  monitor_ = std::move(monitor);
}

void RawPeer::pumpMonitor() {
  if (!monitor_) return;
  while (true) {
    zmq::message_t event;
    if (!monitor_.recv(event, zmq::recv_flags::dontwait)) return;
    if (event.more()) {
      zmq::message_t address;
      (void)monitor_.recv(address, zmq::recv_flags::dontwait);
    }
    if (event.size() < 2) continue;
    uint16_t id = 0;
    std::memcpy(&id, event.data(), sizeof(id));
    if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      ++handshakes_;
      up_ = true;
    } else if (id == ZMQ_EVENT_DISCONNECTED) {
      ++disconnects_;
      up_ = false;
    } else {
      ++auth_failures_;
    }
  }
}

bool RawPeer::waitUp(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    pumpMonitor();
    if (up_) return true;
    if (Clock::now() >= deadline) return false;
    zmq::pollitem_t item = {monitor_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::min(kPollSlice, leftUntil(deadline)));
  }
}

bool RawPeer::sendBytes(ByteView bytes, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  const Bytes sent = withOwnNodeId(bytes, key_.publicKey());
  while (true) {
    pumpMonitor();
    zmq::message_t message(sent.data(), sent.size());
    if (dealer_.send(message, zmq::send_flags::dontwait)) return true;
    if (Clock::now() >= deadline) return false;
    zmq::pollitem_t item = {dealer_.handle(), 0, ZMQ_POLLOUT, 0};
    zmq::poll(&item, 1, std::min(kPollSlice, leftUntil(deadline)));
  }
}

std::optional<Bytes> RawPeer::receive(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    pumpMonitor();
    zmq::message_t message;
    if (dealer_.recv(message, zmq::recv_flags::dontwait)) {
      const auto* data = static_cast<const uint8_t*>(message.data());
      return Bytes(data, data + message.size());
    }
    if (Clock::now() >= deadline) return std::nullopt;
    zmq::pollitem_t item = {dealer_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::min(kPollSlice, leftUntil(deadline)));
  }
}

}  // namespace eichub::testing
