// Tests for the ZAP handler over inproc: RFC 27 requests written by hand, including malformed
// ones, answered with the right status code and never a crash.
#include "federation/transport/zap_handler.h"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "federation/transport/curve_keys.h"
#include "tests/unit/transport/transport_harness.h"

namespace eichub::transport {
namespace {

using Frames = std::vector<std::string>;

class ZapHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto zap = ZapHandler::bind(context_);
    ASSERT_TRUE(zap.ok()) << zap.status().toString();
    zap_ = std::move(zap).value();
    client_.set(zmq::sockopt::linger, 0);
    client_.connect("inproc://zeromq.zap.01");
    keys_ = testing::newKeys();
    std::array<uint8_t, 32> raw{};
    ASSERT_NE(zmq_z85_decode(raw.data(), keys_.public_z85.c_str()), nullptr);
    key_bytes_.assign(raw.begin(), raw.end());
    zap_->setAllowedKeys({keys_.public_z85});
  }

  // Sends one request as libzmq would and returns the reply frames.
  Frames ask(const Frames& request) {
    for (size_t i = 0; i < request.size(); ++i) {
      client_.send(zmq::buffer(request[i]),
                   i + 1 < request.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    std::vector<zmq::pollitem_t> items{{zap_->socket().handle(), 0, ZMQ_POLLIN, 0}};
    EXPECT_EQ(zmq::poll(items, testing::kDeadline), 1) << "request never reached the handler";
    zap_->handleOne();
    Frames reply;
    items = {{client_.handle(), 0, ZMQ_POLLIN, 0}};
    EXPECT_EQ(zmq::poll(items, testing::kDeadline), 1) << "no reply";
    zmq::message_t part;
    do {
      if (!client_.recv(part, zmq::recv_flags::dontwait)) break;
      reply.push_back(part.to_string());
    } while (part.more());
    return reply;
  }
  Frames curveRequest(const std::string& domain, const std::string& key) {
    return {"1.0", "1", domain, "127.0.0.1", "", "CURVE", key};
  }
  std::string status(const Frames& reply) { return reply.size() == 6 ? reply[2] : "bad reply"; }

  zmq::context_t context_;
  std::unique_ptr<ZapHandler> zap_;
  zmq::socket_t client_{context_, zmq::socket_type::req};
  CurveKeyPair keys_;
  std::string key_bytes_;
};

TEST_F(ZapHandlerTest, AllowedCurveKeyIsAdmittedWithItsZ85AsUserId) {
  Frames reply = ask(curveRequest(kZapDomain, key_bytes_));
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[0], "1.0");
  EXPECT_EQ(reply[1], "1");
  EXPECT_EQ(reply[2], "200");
  EXPECT_EQ(reply[4], keys_.public_z85);
  EXPECT_EQ(reply[5], "");
  EXPECT_EQ(zap_->admitted(), 1u);
  EXPECT_EQ(zap_->refused(), 0u);
}

TEST_F(ZapHandlerTest, UnknownKeyWrongDomainAndOtherMechanismsGet400) {
  const std::string other_key(32, '\x42');
  EXPECT_EQ(status(ask(curveRequest(kZapDomain, other_key))), "400");
  EXPECT_EQ(status(ask(curveRequest("other", key_bytes_))), "400");
  EXPECT_EQ(status(ask({"1.0", "2", kZapDomain, "127.0.0.1", "", "NULL"})), "400");
  EXPECT_EQ(status(ask({"1.0", "3", kZapDomain, "127.0.0.1", "", "PLAIN", "u", "p"})), "400");
  EXPECT_EQ(zap_->refused(), 4u);
  EXPECT_EQ(zap_->admitted(), 0u);
}

TEST_F(ZapHandlerTest, MalformedRequestsGet500AndTheHandlerKeepsWorking) {
  EXPECT_EQ(status(ask({"1.0"})), "500");
  EXPECT_EQ(status(ask({"1.0", "1", kZapDomain})), "500");
  EXPECT_EQ(status(ask({"2.0", "1", kZapDomain, "a", "", "CURVE", key_bytes_})), "500");
  EXPECT_EQ(status(ask(curveRequest(kZapDomain, key_bytes_.substr(0, 31)))), "500");
  EXPECT_EQ(status(ask(curveRequest(kZapDomain, key_bytes_ + "x"))), "500");
  Frames two_credentials = curveRequest(kZapDomain, key_bytes_);
  two_credentials.push_back(key_bytes_);
  EXPECT_EQ(status(ask(two_credentials)), "500");
  Frames many(40, "frame");
  many[0] = "1.0";
  Frames reply = ask(many);
  EXPECT_EQ(status(reply), "500");
  EXPECT_EQ(reply[1], "frame") << "the request id is echoed when present";
  EXPECT_EQ(zap_->refused(), 7u);

  EXPECT_EQ(status(ask(curveRequest(kZapDomain, key_bytes_))), "200");
  EXPECT_EQ(zap_->admitted(), 1u);
}

TEST_F(ZapHandlerTest, ReplacedKeySetAppliesToTheNextRequest) {
  EXPECT_EQ(status(ask(curveRequest(kZapDomain, key_bytes_))), "200");
  zap_->setAllowedKeys({});
  EXPECT_EQ(status(ask(curveRequest(kZapDomain, key_bytes_))), "400");
}

TEST_F(ZapHandlerTest, NothingPendingIsANoOp) {
  zap_->handleOne();
  EXPECT_EQ(zap_->admitted() + zap_->refused(), 0u);
}

TEST_F(ZapHandlerTest, SecondHandlerInTheSameContextIsUnavailable) {
  auto second = ZapHandler::bind(context_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kUnavailable) << second.status().toString();
  // Another context has its own inproc namespace.
  zmq::context_t other;
  auto elsewhere = ZapHandler::bind(other);
  EXPECT_TRUE(elsewhere.ok()) << elsewhere.status().toString();
}

}  // namespace
}  // namespace eichub::transport
