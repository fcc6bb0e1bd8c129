// Soak with a nemesis (docs/reliability.md case 40): N nodes on loopback, every directed link
// through a fault proxy, continuous publishing at every node, and at random instants: SIGKILL and
// restart of a daemon, SIGSTOP/SIGCONT, a killed publish, connection cuts, a partition of the
// ring, and slow or lossy links. At the end every fault is healed; all digests must be equal
// and every acknowledged update present on every node. Prints a report (FIGURES line).
// EICHUB_SOAK_SECONDS (default 120) and EICHUB_SOAK_NODES (default 5) size the run; ops/soak
// runs it for 30 minutes.
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>

#include "tests/faults/fault_proxy.h"
#include "tests/faults/figures.h"
#include "tests/faults/history.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/daemon_status.h"
#include "tests/multinode/node_process.h"
#include "tests/testing/child_process.h"
#include "tests/testing/temp_dir.h"

namespace eichub::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

class Soak {
 public:
  Soak(int nodes, uint64_t seed) : rng_(seed), seed_(seed) {
    for (int i = 0; i < nodes; ++i) {
      const std::string name = "n" + std::to_string(i);
      nodes_.push_back(std::make_unique<NodeProcess>(dir_.file(name), name + " cluster", "UKE42"));
      nodes_.back()->start();
    }
    for (auto& n : nodes_) {
      for (auto& other : nodes_) {
        if (n != other) n->ok({"trust", "add", other->nodeId()});
      }
    }
    // A ring, each direction through its own proxy, plus one chord so a cut ring still has
    // two paths between most nodes.
    for (int i = 0; i < nodes; ++i) {
      link(i, (i + 1) % nodes);
      link((i + 1) % nodes, i);
    }
    if (nodes > 3) {
      link(0, nodes / 2);
      link(nodes / 2, 0);
    }
  }

  void run(seconds duration) {
    auto end = Clock::now() + duration;
    auto next_fault = Clock::now() + randomMs(1000, 4000);
    int round = 0;
    while (Clock::now() < end) {
      publishSomewhere(round++);
      if (Clock::now() >= next_fault) {
        injectFault();
        next_fault = Clock::now() + randomMs(1000, 4000);
      }
      healDue();
      sampleRss();
    }
  }

  // Heals everything and waits for equal digests; checks the history on every node.
  void finish() {
    for (auto& p : proxies_) p->set({});
    for (auto& [pid, until] : stopped_) ::kill(pid, SIGCONT);
    stopped_.clear();
    for (auto& n : nodes_) {
      if (!n->running()) n->start();
    }
    auto healed_at = Clock::now();
    const std::vector<NodeProcess*> all = pointers(nodes_);
    converged_ = converged(all, seconds(300));
    converge_ms_ = std::chrono::duration_cast<milliseconds>(Clock::now() - healed_at).count();
    EXPECT_TRUE(converged_) << "digests differ 300 s after the heal; logs in " << dir_.path();
    lost_ += history_.expectNothingLost(all, dir_.path());
    sampleRss();
  }

  nlohmann::json report(seconds duration) const {
    uint64_t acked_updates = 0;
    for (const auto& [author, head] : history_.latest()) acked_updates += head.seq;
    return {{"case", 40},
            {"test", "soak"},
            {"nodes", nodes_.size()},
            {"seconds", duration.count()},
            {"acked_publishes", history_.acked()},
            {"acked_updates", acked_updates},
            {"lost", lost_},
            {"faults", faults_},
            {"converged", converged_},
            {"converge_after_heal_ms", converge_ms_},
            {"rss_max_kb", rss_max_kb_},
            {"final_digest", nodes_.front()->digest().substr(0, 64)},
            {"seed", seed_}};
  }

 private:
  void link(int from, int to) {
    auto p = std::make_unique<FaultProxy>(peerPort(*nodes_[to]), seed_ + proxies_.size());
    peerVia(*nodes_[from], *nodes_[to], *p);
    proxies_.push_back(std::move(p));
    ends_.push_back({from, to});
  }
  milliseconds randomMs(int lo, int hi) {
    return milliseconds(std::uniform_int_distribution<int>(lo, hi)(rng_));
  }
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  // One publish of 20-200 records (new ones and new versions of earlier ones) at a random node,
  // whether its daemon runs or not: the CLI writes the store itself.
  void publishSomewhere(int round) {
    NodeProcess& n = *nodes_[pick(nodes_.size())];
    // A stopped daemon may hold the store's write lock (LMDB serialises writers across
    // processes), so a publish there would wait for SIGCONT, which this loop sends.
    if (n.running() && isStopped(daemonPid(n))) return;
    const std::string path = dir_.file("round.jsonl");
    writeResources(path, "r" + std::to_string(round % 40), 20 + pick(180), 50 + pick(100));
    if (pick(10) == 0) {  // a publish killed at a random instant: not acknowledged
      ChildProcess run({EICHUB_BINARY, "publish", path, "--home", n.dir()}, n.dir() + ".pub.log");
      std::this_thread::sleep_for(randomMs(0, 150));
      if (run.kill()) ++faults_["publish_killed"];
      if (run.poll() == 0) history_.ack(ownHead(n));
      return;
    }
    n.ok({"publish", path});
    history_.ack(ownHead(n));
  }

  void injectFault() {
    switch (pick(6)) {
      case 0: {  // crash and later restart
        NodeProcess& n = *nodes_[pick(nodes_.size())];
        if (!n.running() || isStopped(daemonPid(n))) return;
        n.kill();
        restarts_.push_back({&n, Clock::now() + randomMs(500, 3000)});
        ++faults_["kill9"];
        return;
      }
      case 1: {  // pause
        NodeProcess& n = *nodes_[pick(nodes_.size())];
        int pid = daemonPid(n);
        if (!n.running() || pid <= 0 || isStopped(pid)) return;
        ::kill(pid, SIGSTOP);
        stopped_.push_back({pid, Clock::now() + randomMs(500, 3000)});
        ++faults_["sigstop"];
        return;
      }
      case 2:
        proxies_[pick(proxies_.size())]->cutAll();
        ++faults_["cut"];
        return;
      case 3: {  // partition: two neighbours of the ring against the rest, for a while
        const size_t n = nodes_.size();
        const size_t first = pick(n);
        auto inside = [&](int node) {
          return static_cast<size_t>(node) == first || static_cast<size_t>(node) == (first + 1) % n;
        };
        for (size_t i = 0; i < proxies_.size(); ++i) {
          if (inside(ends_[i].first) == inside(ends_[i].second)) continue;
          proxies_[i]->set({.refusing = true});
          heals_.push_back({i, Clock::now() + randomMs(1000, 6000)});
        }
        ++faults_["partition"];
        return;
      }
      case 4: {  // a slow, lossy link
        size_t i = pick(proxies_.size());
        proxies_[i]->set({randomMs(10, 100), 128 * 1024, false, false, 0.02});
        heals_.push_back({i, Clock::now() + randomMs(2000, 8000)});
        ++faults_["slow_lossy_link"];
        return;
      }
      default: {  // a silent link
        size_t i = pick(proxies_.size());
        proxies_[i]->set({.stalled = true});
        heals_.push_back({i, Clock::now() + randomMs(1000, 7000)});
        ++faults_["stalled_link"];
        return;
      }
    }
  }

  bool isStopped(int pid) const {
    for (const auto& [p, until] : stopped_) {
      if (p == pid) return true;
    }
    return false;
  }

  void healDue() {
    auto now = Clock::now();
    std::erase_if(restarts_, [&](const std::pair<NodeProcess*, Clock::time_point>& r) {
      if (r.second > now) return false;
      r.first->start();
      return true;
    });
    std::erase_if(stopped_, [&](const std::pair<int, Clock::time_point>& s) {
      if (s.second > now) return false;
      ::kill(s.first, SIGCONT);
      return true;
    });
    std::erase_if(heals_, [&](const std::pair<size_t, Clock::time_point>& h) {
      if (h.second > now) return false;
      proxies_[h.first]->set({});
      return true;
    });
  }

  void sampleRss() {
    for (auto& n : nodes_) {
      if (int pid = daemonPid(*n); n->running() && pid > 0) {
        rss_max_kb_ = std::max(rss_max_kb_, procStatusKb(pid, "VmHWM"));
      }
    }
  }

  TempDir dir_;
  std::mt19937_64 rng_;
  uint64_t seed_;
  std::vector<std::unique_ptr<NodeProcess>> nodes_;
  std::vector<std::unique_ptr<FaultProxy>> proxies_;
  std::vector<std::pair<int, int>> ends_;  // (from, to) node of each proxy
  std::vector<std::pair<NodeProcess*, Clock::time_point>> restarts_;
  std::vector<std::pair<int, Clock::time_point>> stopped_;
  std::vector<std::pair<size_t, Clock::time_point>> heals_;
  History history_;
  std::map<std::string, uint64_t> faults_;
  uint64_t lost_ = 0;
  bool converged_ = false;
  int64_t converge_ms_ = 0;
  uint64_t rss_max_kb_ = 0;
};

TEST(SoakTest, NodesUnderANemesisLoseNothingAndConverge) {
  const seconds duration(envInt("EICHUB_SOAK_SECONDS", 120));
  Soak soak(static_cast<int>(envInt("EICHUB_SOAK_NODES", 5)), faultSeed());
  soak.run(duration);
  soak.finish();
  nlohmann::json report = soak.report(duration);
  reportFigures(report);
  EXPECT_EQ(report["lost"], 0u);
  EXPECT_GT(report["faults"].size(), 0u);
}

}  // namespace
}  // namespace eichub::testing
