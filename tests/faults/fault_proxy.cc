// FaultProxy: one poll loop over the listening socket and both ends of every connection.
#include "tests/faults/fault_proxy.h"

#include <algorithm>
#include <deque>
#include <list>
#include <random>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "federation/common/check.h"
#include "tests/multinode/cluster.h"

namespace eichub::testing {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kChunkBytes = 16 * 1024;
constexpr size_t kMaxBufferedBytes = 4 << 20;  // per direction: stop reading beyond this

struct Chunk {
  Clock::time_point ready;
  std::vector<char> bytes;
  size_t offset = 0;
};

// One direction of a connection: bytes read from `from`, waiting to be written to `to`.
struct Flow {
  int from = -1;
  int to = -1;
  std::deque<Chunk> queue;
  size_t buffered = 0;
  double tokens = 0;  // throttle budget in bytes
};

struct Connection {
  Flow up;    // client -> target
  Flow down;  // target -> client
  bool dead = false;
};

void closeWithReset(int fd) {
  linger hard{1, 0};  // RST instead of FIN: the peer sees a broken connection
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
  ::close(fd);
}

int connectTo(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  return fd;
}

}  // namespace

FaultProxy::FaultProxy(uint16_t target_port, uint64_t seed)
    : target_port_(target_port), seed_(seed) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  EICHUB_CHECK(listen_fd_ >= 0) << "socket";
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EICHUB_CHECK(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  EICHUB_CHECK(::listen(listen_fd_, 64) == 0);
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  EICHUB_CHECK(::pipe2(wake_fds_, O_CLOEXEC | O_NONBLOCK) == 0);
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  char byte = 0;
  [[maybe_unused]] ssize_t woken = ::write(wake_fds_[1], &byte, 1);
  thread_.join();
  ::close(listen_fd_);
  ::close(wake_fds_[0]);
  ::close(wake_fds_[1]);
}

void FaultProxy::set(const FaultSettings& settings) {
  std::lock_guard lock(mu_);
  settings_ = settings;
}

void FaultProxy::cutAll() {
  std::lock_guard lock(mu_);
  cut_all_ = true;
}

void FaultProxy::run() {
  std::list<Connection> connections;
  std::mt19937_64 rng(seed_);
  std::uniform_real_distribution<double> coin(0, 1);
  auto last_refill = Clock::now();
  auto kill = [&](Connection& c, bool by_fault) {
    if (c.dead) return;
    c.dead = true;
    closeWithReset(c.up.from);
    closeWithReset(c.up.to);
    if (by_fault) ++cuts_;
  };
  while (!stop_) {
    FaultSettings s;
    bool cut_all = false;
    {
      std::lock_guard lock(mu_);
      s = settings_;
      cut_all = std::exchange(cut_all_, false);
    }
    if (cut_all || s.refusing) {
      for (Connection& c : connections) kill(c, true);
    }
    connections.remove_if([](const Connection& c) { return c.dead; });
    auto now = Clock::now();
    double elapsed = std::chrono::duration<double>(now - last_refill).count();
    last_refill = now;

    std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}, {wake_fds_[0], POLLIN, 0}};
    std::vector<std::pair<Flow*, Connection*>> owners;
    int timeout_ms = 50;
    for (Connection& c : connections) {
      for (Flow* f : {&c.up, &c.down}) {
        if (s.bytes_per_second > 0) {
          f->tokens = std::min<double>(f->tokens + elapsed * s.bytes_per_second,
                                       std::max<double>(s.bytes_per_second / 10.0, 1));
        }
        short want_read = f->buffered < kMaxBufferedBytes ? POLLIN : 0;
        fds.push_back({f->from, want_read, 0});
        owners.emplace_back(f, &c);
        bool ready = !f->queue.empty() && f->queue.front().ready <= now && !s.stalled;
        if (ready) fds.push_back({f->to, POLLOUT, 0});
        if (ready) owners.emplace_back(f, &c);
        if (!f->queue.empty() && f->queue.front().ready > now) {
          auto wait =
              std::chrono::duration_cast<std::chrono::milliseconds>(f->queue.front().ready - now);
          timeout_ms = std::min<int>(timeout_ms, static_cast<int>(wait.count()) + 1);
        }
      }
    }
    if (s.bytes_per_second > 0) timeout_ms = std::min(timeout_ms, 10);
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0) continue;
    if (fds[1].revents) {
      char drain[64];
      while (::read(wake_fds_[0], drain, sizeof(drain)) > 0) {
      }
    }
    if (fds[0].revents & POLLIN) {
      int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (client >= 0) {
        ++connections_;
        int target = s.refusing ? -1 : connectTo(target_port_);
        if (target < 0) {
          closeWithReset(client);
        } else {
          Connection& c = connections.emplace_back();
          c.up.from = c.down.to = client;
          c.up.to = c.down.from = target;
        }
      }
    }
    now = Clock::now();
    for (size_t i = 2; i < fds.size(); ++i) {
      auto [flow, conn] = owners[i - 2];
      if (conn->dead || fds[i].revents == 0) continue;
      if (fds[i].fd == flow->from && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        Chunk chunk{now + s.delay, std::vector<char>(kChunkBytes), 0};
        ssize_t n = ::read(flow->from, chunk.bytes.data(), chunk.bytes.size());
        if (n <= 0) {
          kill(*conn, false);  // one side closed: close the other, as a router would
          continue;
        }
        chunk.bytes.resize(static_cast<size_t>(n));
        flow->buffered += chunk.bytes.size();
        flow->queue.push_back(std::move(chunk));
        if (s.cut_probability > 0 && coin(rng) < s.cut_probability) kill(*conn, true);
      } else if (fds[i].fd == flow->to && (fds[i].revents & POLLOUT)) {
        Chunk& front = flow->queue.front();
        size_t len = front.bytes.size() - front.offset;
        if (s.bytes_per_second > 0) {
          len = std::min<size_t>(len, static_cast<size_t>(flow->tokens));
          if (len == 0) continue;
        }
        ssize_t n = ::write(flow->to, front.bytes.data() + front.offset, len);
        if (n < 0) {
          if (errno != EAGAIN) kill(*conn, false);
          continue;
        }
        front.offset += static_cast<size_t>(n);
        flow->buffered -= static_cast<size_t>(n);
        // Only a throttled link spends its budget: unthrottled bytes would leave a debt that
        // stalls the link once a throttle is set.
        if (s.bytes_per_second > 0) flow->tokens -= static_cast<double>(n);
        bytes_ += static_cast<uint64_t>(n);
        if (front.offset == front.bytes.size()) flow->queue.pop_front();
      } else if (fds[i].revents & (POLLHUP | POLLERR)) {
        kill(*conn, false);
      }
    }
  }
  for (Connection& c : connections) kill(c, false);
}

void peerVia(NodeProcess& from, const NodeProcess& to, const FaultProxy& proxy) {
  peerAt(from, to, proxy.endpoint());
}

}  // namespace eichub::testing
