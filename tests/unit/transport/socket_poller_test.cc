// Tests for SocketPoller over real inproc sockets and descriptors: a message is reported whether
// it came before the poll, during it, or before a send on the same socket consumed its signal;
// descriptors are reported as zmq_poll reports them; and over random traffic it says what a
// count of the messages in flight says, as zmq_poll does.
#include "federation/transport/socket_poller.h"

#include <array>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace eichub::transport {
namespace {

using std::chrono::milliseconds;

// Generous: a broken poller sleeps this long and reports nothing.
constexpr milliseconds kLongWait{10'000};

// A connected inproc PAIR: `near` is polled, `far` sends to it.
struct Pair {
  Pair(zmq::context_t& context, const std::string& name)
      : near(context, zmq::socket_type::pair), far(context, zmq::socket_type::pair) {
    near.bind("inproc://" + name);
    far.connect("inproc://" + name);
  }
  zmq::socket_t near;
  zmq::socket_t far;
};

zmq::pollitem_t itemOf(zmq::socket_t& socket) { return {socket.handle(), 0, ZMQ_POLLIN, 0}; }

void send(zmq::socket_t& socket, const std::string& text) {
  ASSERT_TRUE(socket.send(zmq::buffer(text), zmq::send_flags::none));
}

std::string receive(zmq::socket_t& socket) {
  zmq::message_t message;
  EXPECT_TRUE(socket.recv(message, zmq::recv_flags::dontwait));
  return message.to_string();
}

TEST(SocketPollerTest, AMessageQueuedBeforeThePollIsReportedAtOnce) {
  zmq::context_t context;
  Pair pair(context, "queued");
  send(pair.far, "hello");
  std::array items{itemOf(pair.near)};
  SocketPoller poller;
  ASSERT_EQ(poller.poll(items, kLongWait), 1);
  EXPECT_EQ(items[0].revents, ZMQ_POLLIN);
  EXPECT_EQ(receive(pair.near), "hello");
}

TEST(SocketPollerTest, NothingReadyWaitsOutTheTimeout) {
  zmq::context_t context;
  Pair pair(context, "quiet");
  std::array items{itemOf(pair.near)};
  SocketPoller poller;
  EXPECT_EQ(poller.poll(items, milliseconds(20)), 0);
  EXPECT_EQ(items[0].revents, 0);
  EXPECT_EQ(poller.poll(items, milliseconds(0)), 0);
}

TEST(SocketPollerTest, AMessageSentWhileItSleepsWakesIt) {
  zmq::context_t context;
  Pair pair(context, "later");
  std::array items{itemOf(pair.near)};
  std::thread sender([&] {
    std::this_thread::sleep_for(milliseconds(50));
    send(pair.far, "late");
  });
  SocketPoller poller;
  const int ready = poller.poll(items, kLongWait);
  sender.join();
  ASSERT_EQ(ready, 1);
  EXPECT_EQ(receive(pair.near), "late");
}

// A send processes the commands waiting for its socket (libzmq does so at most every few
// million cycles, hence the pause), the arrival of a message with them: the socket's ZMQ_FD
// does not fire again for that message.
TEST(SocketPollerTest, AMessageWhoseSignalASendConsumedIsStillReported) {
  zmq::context_t context;
  Pair pair(context, "consumed");
  std::array items{itemOf(pair.near)};
  SocketPoller poller;
  for (int round = 0; round < 3; ++round) {
    send(pair.far, "in " + std::to_string(round));
    std::this_thread::sleep_for(milliseconds(20));
    send(pair.near, "out");
    ASSERT_EQ(poller.poll(items, kLongWait), 1) << "round " << round;
    EXPECT_EQ(receive(pair.near), "in " + std::to_string(round));
    EXPECT_EQ(receive(pair.far), "out");
  }
}

TEST(SocketPollerTest, DescriptorsAreReportedAsZmqPollReportsThem) {
  const int event = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  int ends[2];
  ASSERT_GE(event, 0);
  ASSERT_EQ(::pipe(ends), 0);
  const uint64_t one = 1;
  ASSERT_EQ(::write(event, &one, sizeof(one)), static_cast<ssize_t>(sizeof(one)));
  ASSERT_EQ(::close(ends[1]), 0);  // the read end hangs up
  const int quiet = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(quiet, 0);
  std::array<zmq::pollitem_t, 3> items{{{nullptr, event, ZMQ_POLLIN, 0},
                                        {nullptr, ends[0], ZMQ_POLLIN, 0},
                                        {nullptr, quiet, ZMQ_POLLIN, 0}}};
  std::array<zmq::pollitem_t, 3> reference = items;
  SocketPoller poller;
  EXPECT_EQ(poller.poll(items, kLongWait), 2);
  EXPECT_EQ(zmq::poll(reference.data(), reference.size(), milliseconds(0)), 2);
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].revents, reference[i].revents) << "item " << i;
  }
  EXPECT_EQ(items[0].revents, ZMQ_POLLIN);
  EXPECT_NE(items[1].revents & ZMQ_POLLERR, 0);
  EXPECT_EQ(items[2].revents, 0);
  ::close(event);
  ::close(ends[0]);
  ::close(quiet);
}

TEST(SocketPollerTest, OverRandomTrafficReportsWhatIsInFlightAsZmqPollDoes) {
  zmq::context_t context;
  constexpr size_t kPairs = 4;
  std::vector<std::unique_ptr<Pair>> pairs;
  for (size_t i = 0; i < kPairs; ++i) {
    pairs.push_back(std::make_unique<Pair>(context, "random" + std::to_string(i)));
  }
  std::array<int, kPairs> in_flight{};  // messages sent to each near socket, not yet read
  std::mt19937 random(16);
  SocketPoller poller;
  for (int step = 0; step < 400; ++step) {
    const size_t i = random() % kPairs;
    switch (random() % 3) {
      case 0:
        send(pairs[i]->far, "m");
        ++in_flight[i];
        break;
      case 1:
        if (in_flight[i] > 0) {
          EXPECT_EQ(receive(pairs[i]->near), "m");
          --in_flight[i];
        }
        break;
      default:  // a send the other way, which may consume the near socket's signals
        send(pairs[i]->near, "r");
        EXPECT_EQ(receive(pairs[i]->far), "r");
    }
    std::array<zmq::pollitem_t, kPairs> items{};
    for (size_t p = 0; p < kPairs; ++p) items[p] = itemOf(pairs[p]->near);
    std::array<zmq::pollitem_t, kPairs> reference = items;
    int expected = 0;
    for (int count : in_flight) expected += count > 0 ? 1 : 0;
    // With something in flight the long wait is never waited; with nothing, a short one.
    const milliseconds wait = expected > 0 ? kLongWait : milliseconds(1);
    ASSERT_EQ(poller.poll(items, wait), expected) << "step " << step;
    ASSERT_EQ(zmq::poll(reference.data(), reference.size(), milliseconds(0)), expected);
    for (size_t p = 0; p < kPairs; ++p) {
      EXPECT_EQ(items[p].revents, in_flight[p] > 0 ? ZMQ_POLLIN : 0) << "step " << step;
      EXPECT_EQ(reference[p].revents, items[p].revents);
    }
  }
}

}  // namespace
}  // namespace eichub::transport
