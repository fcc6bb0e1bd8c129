// Tests of the front door on real sockets: slowloris, idle and flooding clients, full queues and
// head limits, each answered within its bound while a health check still gets through.
#include "node/http/front_door.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/testing/raw_http.h"
#include "tests/testing/wait.h"

namespace eichub::http {
namespace {

using namespace std::chrono_literals;
using testing::RawConnection;

// A bound, not a timing: every answer below must come, and on a loaded machine it may be slow.
constexpr auto kAnswerBound = 5s;

std::string get(const std::string& path) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
}

class FrontDoorTest : public ::testing::Test {
 protected:
  void start(const HttpLimits& limits) {
    processor_.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    processor_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hi", "text/plain");
    });
    processor_.Get("/block", [this](const httplib::Request&, httplib::Response& res) {
      ++blocked_;
      std::unique_lock lock(mu_);
      released_cv_.wait(lock, [this] { return released_; });
      res.set_content("done", "text/plain");
    });
    processor_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.body.size()), "text/plain");
    });
    auto listener = listenTcp("127.0.0.1", 0, kListenBacklog);
    ASSERT_TRUE(listener.ok()) << listener.status().toString();
    address_ = "127.0.0.1:" + std::to_string(boundPort(listener->get()));
    door_ = std::make_unique<FrontDoor>(std::move(listener).value(), processor_, limits,
                                        [this](std::string_view code) {
                                          std::lock_guard lock(mu_);
                                          refusals_.emplace_back(code);
                                        });
  }
  void TearDown() override {
    release();
    door_.reset();
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      released_ = true;
    }
    released_cv_.notify_all();
  }
  size_t refusals(const std::string& code) {
    std::lock_guard lock(mu_);
    return std::count(refusals_.begin(), refusals_.end(), code);
  }
  // Sends request on a new connection and returns the answer.
  std::string ask(const std::string& request) {
    RawConnection c(address_);
    EXPECT_TRUE(c.connected());
    EXPECT_TRUE(c.send(request));
    return c.readAnswer(kAnswerBound);
  }

  RequestProcessor processor_;
  std::unique_ptr<FrontDoor> door_;
  std::string address_;
  std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;              // guarded by mu_
  std::vector<std::string> refusals_;  // guarded by mu_
  std::atomic<int> blocked_{0};
};

// Issue 17, finding 6: with 4 slowloris connections /healthz did not answer for 40 s, and 200
// idle connections blocked it for over 30 s, since each held one of the 4 workers.
TEST_F(FrontDoorTest, SlowlorisAndIdleConnectionsLeaveHealthAndTheApiAnswering) {
  start(HttpLimits{});
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawConnection>(address_));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (size_t i = 0; i < kHttpThreads; ++i) {
    slow.push_back(std::make_unique<RawConnection>(address_));
    ASSERT_TRUE(slow.back()->send("GET /hello HTTP/1.1\r\nX-Slow: "));
  }
  std::atomic<bool> trickling{true};
  std::thread trickle([&] {
    while (trickling) {
      for (auto& c : slow) c->send("a", 100ms);
      std::this_thread::sleep_for(100ms);
    }
  });
  const std::string health = ask(get("/healthz"));
  const std::string api = ask(get("/hello"));
  trickling = false;
  trickle.join();
  EXPECT_EQ(testing::statusOf(health), 200) << health;
  EXPECT_EQ(testing::bodyOf(health), "ok");
  EXPECT_EQ(testing::statusOf(api), 200) << api;
  EXPECT_EQ(testing::bodyOf(api), "hi");
}

TEST_F(FrontDoorTest, AHeadNotCompleteByItsDeadlineIsAnswered408AndIdleOnesAreClosed) {
  HttpLimits limits;
  limits.head_deadline = 300ms;
  start(limits);
  RawConnection idle(address_);
  RawConnection partial(address_);
  ASSERT_TRUE(partial.send("GET /hello HTTP/1.1\r\nHost: test\r\n"));
  RawConnection trickler(address_);
  std::atomic<bool> trickling{true};
  std::thread trickle([&] {
    for (const char c : std::string("GET /hello HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaa")) {
      if (!trickling || !trickler.send(std::string(1, c), 100ms)) return;
      std::this_thread::sleep_for(50ms);
    }
  });
  const std::string answer = partial.readAnswer(kAnswerBound);
  EXPECT_EQ(testing::statusOf(answer), 408) << answer;
  EXPECT_NE(testing::bodyOf(answer).find("\"request_timeout\""), std::string::npos) << answer;
  EXPECT_NE(testing::bodyOf(answer).find("300 ms"), std::string::npos) << answer;
  EXPECT_EQ(testing::headerOf(answer, "Connection"), "close");
  // A byte every 50 ms does not extend the deadline.
  EXPECT_EQ(testing::statusOf(trickler.readAnswer(kAnswerBound)), 408);
  trickling = false;
  trickle.join();
  EXPECT_EQ(idle.readAnswer(kAnswerBound), "");  // closed, without an answer
  EXPECT_TRUE(idle.closedWithin(kAnswerBound));
  EXPECT_EQ(refusals("request_timeout"), 2u);
}

TEST_F(FrontDoorTest, ABodyTrickledPastTheRequestDeadlineIsAnswered408AndTheWorkerFreed) {
  HttpLimits limits;
  limits.request_deadline = 500ms;
  limits.threads = 1;
  start(limits);
  RawConnection slow(address_);
  ASSERT_TRUE(slow.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n0123"));
  std::atomic<bool> trickling{true};
  std::thread trickle([&] {
    while (trickling && slow.send("x", 100ms)) std::this_thread::sleep_for(50ms);
  });
  const std::string answer = slow.readAnswer(kAnswerBound);
  trickling = false;
  trickle.join();
  EXPECT_EQ(testing::statusOf(answer), 408) << answer;
  EXPECT_NE(testing::bodyOf(answer).find("500 ms"), std::string::npos) << answer;
  EXPECT_EQ(refusals("request_timeout"), 1u);
  // The only worker serves again, and a body sent in time is read whole.
  const std::string hello = ask(get("/hello"));
  EXPECT_EQ(testing::bodyOf(hello), "hi") << hello;
  const std::string echo =
      ask("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nabcde");
  EXPECT_EQ(testing::bodyOf(echo), "5") << echo;
}

TEST_F(FrontDoorTest, FullQueuesAreAnswered503WithRetryAfterWhileHealthStillAnswers) {
  HttpLimits limits;
  limits.threads = 1;
  limits.max_queued_requests = 1;
  start(limits);
  RawConnection busy(address_), queued(address_), refused(address_);
  ASSERT_TRUE(busy.send(get("/block")));
  ASSERT_TRUE(testing::waitFor([&] { return blocked_ == 1; }, kAnswerBound));
  // The loop reads ready connections in the order it accepted them: queued, then refused.
  ASSERT_TRUE(queued.send(get("/block")));
  ASSERT_TRUE(refused.send(get("/block")));
  const std::string answer = refused.readAnswer(kAnswerBound);
  EXPECT_EQ(testing::statusOf(answer), 503) << answer;
  EXPECT_EQ(testing::headerOf(answer, "Retry-After"), std::to_string(kRetryAfterSeconds));
  EXPECT_NE(testing::bodyOf(answer).find("\"overloaded\""), std::string::npos) << answer;
  EXPECT_EQ(testing::headerOf(answer, "X-Content-Type-Options"), "nosniff");
  // Health has a worker of its own.
  EXPECT_EQ(testing::bodyOf(ask(get("/healthz"))), "ok");
  release();
  EXPECT_EQ(testing::bodyOf(busy.readAnswer(kAnswerBound)), "done");
  EXPECT_EQ(testing::bodyOf(queued.readAnswer(kAnswerBound)), "done");
  EXPECT_EQ(refusals("overloaded"), 1u);
}

TEST_F(FrontDoorTest, AtTheConnectionCapTheConnectionWaitingLongestIsClosed) {
  HttpLimits limits;
  limits.max_connections = 8;
  start(limits);
  // Accepted in the order they connect, so the first has waited longest for its head.
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 8; ++i) idle.push_back(std::make_unique<RawConnection>(address_));
  const std::string health = ask(get("/healthz"));
  EXPECT_EQ(testing::bodyOf(health), "ok") << health;
  EXPECT_TRUE(idle.front()->closedWithin(kAnswerBound));
  EXPECT_EQ(refusals("evicted"), 1u);
  // The rest are still open: a second request on the last one is answered.
  ASSERT_TRUE(idle.back()->send(get("/hello")));
  EXPECT_EQ(testing::bodyOf(idle.back()->readAnswer(kAnswerBound)), "hi");
}

TEST_F(FrontDoorTest, OversizedHeadsAreRefusedWithTheLimitTheyBroke) {
  start(HttpLimits{});
  std::string many = "GET /hello HTTP/1.1\r\nHost: test\r\n";
  for (size_t i = 0; i < kMaxHeaderCount; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  std::string answer = ask(many + "\r\n");
  EXPECT_EQ(testing::statusOf(answer), 431) << answer;
  EXPECT_NE(answer.find("\"too_many_headers\""), std::string::npos) << answer;
  EXPECT_NE(answer.find("more than 100 header fields"), std::string::npos) << answer;

  answer = ask("GET /" + std::string(kMaxRequestLineBytes, 'a') + " HTTP/1.1\r\n\r\n");
  EXPECT_EQ(testing::statusOf(answer), 414) << answer;
  EXPECT_NE(answer.find("\"uri_too_long\""), std::string::npos) << answer;

  answer = ask("GET /hello HTTP/1.1\r\nX-Big: " + std::string(kMaxHeadBytes, 'b') + "\r\n\r\n");
  EXPECT_EQ(testing::statusOf(answer), 431) << answer;
  EXPECT_NE(answer.find("\"header_too_large\""), std::string::npos) << answer;

  // 400,000 header fields (4.4 MB), sent while the answer is read.
  std::string flood = "GET /hello HTTP/1.1\r\n";
  for (size_t i = 0; i < 400'000; ++i) flood += "X-Flood: 1\r\n";
  RawConnection flooder(address_);
  std::thread sender([&] { flooder.send(flood + "\r\n", 10s); });
  answer = flooder.readAnswer(kAnswerBound);
  sender.join();
  EXPECT_EQ(testing::statusOf(answer), 431) << answer.substr(0, 200);
  EXPECT_NE(answer.find("\"too_many_headers\""), std::string::npos);
  EXPECT_EQ(refusals("too_many_headers"), 2u);
  // The server is unharmed.
  EXPECT_EQ(testing::bodyOf(ask(get("/hello"))), "hi");
}

TEST_F(FrontDoorTest, KeepAliveServesPipelinedRequestsOnOneConnection) {
  start(HttpLimits{});
  RawConnection c(address_);
  ASSERT_TRUE(c.send(get("/hello") + get("/healthz")));
  const std::string first = c.readAnswer(kAnswerBound);
  EXPECT_EQ(testing::bodyOf(first), "hi") << first;
  EXPECT_NE(testing::headerOf(first, "Keep-Alive"), "");
  EXPECT_EQ(testing::bodyOf(c.readAnswer(kAnswerBound)), "ok");
  ASSERT_TRUE(c.send(get("/hello")));
  EXPECT_EQ(testing::bodyOf(c.readAnswer(kAnswerBound)), "hi");
}

}  // namespace
}  // namespace eichub::http
